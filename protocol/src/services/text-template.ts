/**
 * `{{path}}` and `{{path|formatter}}` placeholders, filled from plain data. Pure and shared: the
 * catalogue validator checks every placeholder parses, the kiosk fills them.
 */

const PLACEHOLDER = /\{\{\s*([a-zA-Z][a-zA-Z0-9.]*)\s*(?:\|\s*([a-zA-Z]+)\s*)?\}\}/g
const ANY_BRACES = /\{\{|\}\}/g

export const TEMPLATE_FORMATTERS = ['yuan', 'date', 'upper'] as const
export type TemplateFormatter = (typeof TEMPLATE_FORMATTERS)[number]

/** The value at a dotted path (`document.payments.0.amount`), or undefined. */
export function valueAt(data: unknown, path: string): unknown {
  let current: unknown = data
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}

function format(value: unknown, formatter: string | undefined): string {
  if (value === undefined || value === null) return ''
  if (formatter === 'yuan') {
    const n = typeof value === 'number' ? value : Number(value)
    return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : ''
  }
  if (formatter === 'date') {
    const d = value instanceof Date ? value : new Date(String(value))
    return Number.isNaN(d.getTime()) ? String(value) : d.toISOString().slice(0, 10)
  }
  if (formatter === 'upper') return String(value).toUpperCase()
  if (Array.isArray(value)) return value.join('、')
  return String(value)
}

/** Fills every placeholder; a missing value becomes empty text. */
export function fillTemplate(text: string, data: unknown): string {
  return text.replace(PLACEHOLDER, (_, path: string, formatter: string | undefined) =>
    format(valueAt(data, path), formatter),
  )
}

/** Problems of a template text: unbalanced braces, unknown formatters. Empty when fine. */
export function templateProblems(text: string): string[] {
  const problems: string[] = []
  let placeholders = 0
  for (const match of text.matchAll(PLACEHOLDER)) {
    placeholders++
    const formatter = match[2]
    if (formatter !== undefined && !(TEMPLATE_FORMATTERS as readonly string[]).includes(formatter)) {
      problems.push(`unknown formatter "${formatter}" in ${match[0]} (known: ${TEMPLATE_FORMATTERS.join(', ')})`)
    }
  }
  const braces = [...text.matchAll(ANY_BRACES)].length
  if (braces !== placeholders * 2) problems.push(`malformed placeholder in "${text.slice(0, 80)}"`)
  return problems
}

/** The roots (`record`, `document`, `input`…) the placeholders of a text use. */
export function templateRoots(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => (m[1] ?? '').split('.')[0] ?? '')
}
