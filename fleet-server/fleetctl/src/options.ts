import { EXIT, FleetctlError } from './api-client.ts'

/** `a,b , c` → `['a','b','c']`; repeated options are concatenated by commander's collector. */
export function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ]
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/** `1h`, `90m`, `30s`, `2d`, `500ms` or plain milliseconds. */
export function parseDuration(value: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim())
  if (!match) throw new FleetctlError(`${name} wants a duration like 45m, 1h or 2d, got ${value}`, EXIT.usage)
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms'] ?? 1
  const ms = Math.round(Number(match[1]) * unit)
  if (ms <= 0) throw new FleetctlError(`${name} must be positive`, EXIT.usage)
  return ms
}

/** `4M`, `256k`, `1048576`. */
export function parseSize(value: string, name: string): number {
  const match = /^(\d+)\s*([kKmM]i?[bB]?)?$/.exec(value.trim())
  if (!match) throw new FleetctlError(`${name} wants a size like 256k or 4M, got ${value}`, EXIT.usage)
  const unit = match[2]?.[0]?.toLowerCase()
  const bytes = Number(match[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1)
  if (bytes < 1) throw new FleetctlError(`${name} must be at least 1 byte`, EXIT.usage)
  return bytes
}

/** A fraction in 0..1 (`0.9`) or a percentage (`90%`). */
export function parseFraction(value: string, name: string): number {
  const pct = value.trim().endsWith('%')
  const n = Number(pct ? value.trim().slice(0, -1) : value)
  const fraction = pct ? n / 100 : n
  if (!Number.isFinite(fraction) || fraction < 0 || fraction > 1) {
    throw new FleetctlError(`${name} wants a fraction 0..1 or a percentage, got ${value}`, EXIT.usage)
  }
  return fraction
}

export function parsePositiveInt(value: string, name: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1)
    throw new FleetctlError(`${name} wants a positive integer, got ${value}`, EXIT.usage)
  return n
}

export type GroupSize = { count: number } | { percent: number }

/** `2,25%,100%` → `[{count: 2}, {percent: 25}, {percent: 100}]`; percents must not go down. */
export function parseGroups(value: string): GroupSize[] {
  const groups = list(value).map((part): GroupSize => {
    const pct = /^(\d+(?:\.\d+)?)%$/.exec(part)
    if (pct) {
      const percent = Number(pct[1])
      if (percent <= 0 || percent > 100) throw new FleetctlError(`--groups: ${part} is not within 1%..100%`, EXIT.usage)
      return { percent }
    }
    if (/^\d+$/.test(part) && Number(part) > 0) return { count: Number(part) }
    throw new FleetctlError(`--groups wants counts and percentages like 2,25%,100%, got ${part}`, EXIT.usage)
  })
  if (groups.length === 0) throw new FleetctlError('--groups needs at least one group', EXIT.usage)
  let last = 0
  for (const g of groups) {
    if ('percent' in g) {
      if (g.percent < last)
        throw new FleetctlError('--groups: percentages are cumulative and must not go down', EXIT.usage)
      last = g.percent
    }
  }
  return groups
}
