import stringWidth from 'string-width'

/** Aligned columns for humans (CJK characters count double, as terminals draw them). */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '—' : String(c))))]
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => stringWidth(r[i] ?? ''))))
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - stringWidth(c))))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}
