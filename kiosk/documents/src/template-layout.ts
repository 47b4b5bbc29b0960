import { type A4Template, fillTemplate, valueAt } from '@kiosk-fleet/protocol'
import type { DocumentLayout } from './layout.ts'
import { verification, yuan } from './templates/verification.ts'

/**
 * An A4 template (data, from the department's catalogue) filled with the step's data into the
 * layout the one PDF renderer draws: a new certificate is a JSON file, not code.
 */
export function layoutFromTemplate(template: A4Template, data: unknown, verifyBaseUrl: string): DocumentLayout {
  const fill = (text: string) => fillTemplate(text, data)
  let table: DocumentLayout['table']
  if (template.table) {
    const spec = template.table
    const rowsData = valueAt(data, spec.rows)
    const rows = (Array.isArray(rowsData) ? rowsData : []).map((row) =>
      spec.columns.map((c) => fillTemplate(c.value, { ...(data as object), row })),
    )
    if (spec.total) {
      const sum = (Array.isArray(rowsData) ? rowsData : []).reduce((s: number, row) => {
        const n = Number(valueAt(row, spec.total?.field ?? ''))
        return Number.isFinite(n) ? s + n : s
      }, 0)
      const total = spec.columns.map(() => '')
      total[0] = spec.total.label
      total[spec.total.column] = yuan(sum)
      rows.push(total)
    }
    table = {
      columns: spec.columns.map((c) => ({ title: c.title, width: c.width, ...(c.align ? { align: c.align } : {}) })),
      rows,
    }
  }
  return {
    authority: fill(template.authority),
    title: template.title,
    serial: fill(template.serial),
    fields: template.fields.map((f): [string, string] => [f.label, fill(f.value)]),
    ...(table ? { table } : {}),
    paragraphs: template.paragraphs.map(fill),
    issuer: fill(template.issuer),
    issuedOn: fill(template.issuedOn),
    verification: verification(verifyBaseUrl, fill(template.verificationCode)),
  }
}
