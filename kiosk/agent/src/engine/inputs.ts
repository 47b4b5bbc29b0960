import type { ServiceDefinition, ServiceInput } from '@kiosk-fleet/protocol'
import { type StepFailure, type StepResult, stepFail, stepOk } from './step-result.ts'

/** `LZ########-####` → /LZ\d{8}-\d{4}/i: what a typed or scanned code must look like. */
export function maskPattern(mask: string): RegExp {
  const source = [...mask].map((c) => (c === '#' ? '\\d' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')
  return new RegExp(source, 'i')
}

/** The code inside scanned text (a URL or the bare code), uppercased, or undefined. */
export function codeFromScan(mask: string, scanned: string): string | undefined {
  return maskPattern(mask).exec(scanned)?.[0]?.toUpperCase()
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/

/** A citizen's value for one input, checked against the definition; option values carry their label. */
export function checkInput(input: ServiceInput, raw: unknown, now: Date): StepResult<unknown> {
  const fail = (code: string, text: string): { ok: false } & StepFailure => stepFail('invalidData', code, text)
  switch (input.kind) {
    case 'code': {
      const text = typeof raw === 'string' ? raw.trim().toUpperCase() : ''
      const match = maskPattern(input.mask).exec(text)
      if (!match || match[0].length !== text.length)
        return fail('codeFormat', `${input.id} must look like ${input.mask}`)
      return stepOk(text)
    }
    case 'pin':
      if (typeof raw !== 'string' || !new RegExp(`^\\d{${input.length}}$`).test(raw)) {
        return fail('pinFormat', `the PIN has ${input.length} digits`)
      }
      return stepOk(raw)
    case 'option': {
      const option = input.options.find((o) => o.value === raw)
      if (!option) return fail('optionMissing', `choose one of ${input.options.map((o) => o.value).join(', ')}`)
      return stepOk({ value: option.value, label: option.label.zh })
    }
    case 'dateRange': {
      const r = (raw ?? {}) as { from?: unknown; to?: unknown }
      const from = typeof r.from === 'string' ? r.from : ''
      const to = typeof r.to === 'string' ? r.to : ''
      if (!MONTH.test(from) || !MONTH.test(to) || from > to)
        return fail('periodFormat', 'from and to are YYYY-MM, from ≤ to')
      const earliest = `${now.getFullYear() - input.yearsBack}-${String(now.getMonth() + 1).padStart(2, '0')}`
      if (from < earliest) return fail('periodTooLong', `the period reaches back ${input.yearsBack} years at most`)
      return stepOk({ from, to })
    }
    case 'documentScan':
      // Filled by Session.ScanDocument, never by the UI.
      return raw === undefined ? fail('scanMissing', 'scan the document first') : stepOk(raw)
  }
}

/** The citizen's inputs of a definition, all checked; the first failure is returned. */
export function checkInputs(
  service: ServiceDefinition,
  given: Record<string, unknown>,
  scans: Record<string, unknown>,
  now: Date,
): StepResult<Record<string, unknown>> {
  const values: Record<string, unknown> = {}
  for (const input of service.inputs) {
    const raw = input.kind === 'documentScan' ? scans[input.id] : given[input.id]
    const checked = checkInput(input, raw, now)
    if (!checked.ok) return checked
    values[input.id] = checked.value
  }
  return stepOk(values)
}

/**
 * The checked inputs a result view or a document may show: a PIN input (a query password) goes to
 * the gateway call only, never onto the screen, a receipt or an A4 page.
 */
export function shownInputs(service: ServiceDefinition, values: Record<string, unknown>): Record<string, unknown> {
  const secret = new Set(service.inputs.filter((i) => i.kind === 'pin').map((i) => i.id))
  return Object.fromEntries(Object.entries(values).filter(([id]) => !secret.has(id)))
}

/** A gateway parameter from its source: `input.x`, `input.x.field`, `record.x`, `identity.pin`, `=literal`. */
export function resolveParam(
  source: string,
  data: { input: Record<string, unknown>; record?: Record<string, unknown>; pin?: string },
): unknown {
  if (source.startsWith('=')) return source.slice(1)
  const [root, key = '', field] = source.split('.')
  if (root === 'identity') return data.pin
  const from = root === 'input' ? data.input : (data.record ?? {})
  const value = from[key]
  if (field !== undefined) return (value as Record<string, unknown> | undefined)?.[field]
  // An option's value, not its label, unless the label is asked for.
  if (value && typeof value === 'object' && 'value' in value) return (value as { value: unknown }).value
  return value
}
