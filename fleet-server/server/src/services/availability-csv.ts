import type { AvailabilityReport } from '@kiosk-fleet/protocol/http'

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A text starting
 * with `=`, `+`, `-`, `@` or a tab is prefixed with `'` so a spreadsheet never runs it as a formula
 * (site names are typed by people).
 */
export function csvField(value: string | number | null): string {
  if (value === null) return ''
  if (typeof value === 'number') return String(value)
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/**
 * A report as CSV for a spreadsheet: a UTF-8 byte order mark (Excel then reads the Chinese names),
 * a header row, CRLF line ends. Shares are percentages with two decimals; an empty share means the
 * site was closed all the range.
 */
export function availabilityCsv(report: AvailabilityReport): string {
  const bySite = report.by === 'site'
  const header = [
    ...(bySite ? ['site_id', 'site_name'] : []),
    'service_id',
    'service_name',
    'department',
    ...(report.per === 'day' ? ['day'] : ['from', 'to']),
    'kiosks',
    'open_hours',
    'usable_hours',
    'usable_percent',
  ]
  const lines = [header.join(',')]
  for (const r of report.rows) {
    const fields: (string | number | null)[] = [
      ...(bySite ? [r.site?.id ?? null, r.site?.name ?? null] : []),
      r.serviceId,
      r.serviceName?.zh ?? null,
      r.department,
      ...(report.per === 'day' ? [r.day] : [report.from, report.to]),
      r.kiosks,
      r.openHours,
      r.usableHours,
      r.share === null ? null : (Math.round(r.share * 10_000) / 100).toFixed(2),
    ]
    lines.push(fields.map(csvField).join(','))
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`
}
