/** YYYY-MM months from `from` to `to`, newest first, at most 36. */
export function monthsBetween(from: string, to: string): string[] {
  const re = /^(\d{4})-(\d{2})$/
  const a = re.exec(from)
  const b = re.exec(to)
  if (!a || !b) return []
  const out: string[] = []
  let y = Number(b[1])
  let m = Number(b[2])
  const stop = Number(a[1]) * 12 + Number(a[2])
  while (y * 12 + m >= stop && out.length < 36) {
    out.push(`${y}-${String(m).padStart(2, '0')}`)
    m -= 1
    if (m === 0) {
      m = 12
      y -= 1
    }
  }
  return out
}
