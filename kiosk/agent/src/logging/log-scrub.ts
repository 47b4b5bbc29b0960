/**
 * Scrubs personal numbers from collected log lines before they leave the kiosk (`collect-logs`).
 *
 * 18-character resident ID numbers and long digit runs (bank and social-security card numbers,
 * 12–19 digits) become `[scrubbed]`. A pino line's own timestamps are 13-digit epoch milliseconds,
 * which the digit-run rule caught too; they are kept, but only where both hold: the JSON key names a
 * time (`time`, `ts`, `…At`) and the value is a whole number of milliseconds between 2000 and 2100.
 * Anything else (a card number in a `time` field of another shape, a number in a message string, a
 * timestamp-looking number under any other key) is still scrubbed.
 */
const PERSONAL_NUMBER = /\b\d{17}[\dXx]\b|\b\d{12,19}\b/g
const SCRUBBED = '[scrubbed]'
const TIME_KEY = /^(time|ts)$|[a-z]At$/
/** 2000-01-01 and 2100-01-01 in epoch milliseconds. */
const EPOCH_MS_MIN = 946_684_800_000
const EPOCH_MS_MAX = 4_102_444_800_000

const scrubText = (text: string): string => text.replace(PERSONAL_NUMBER, SCRUBBED)

function isTimestamp(key: string, value: number): boolean {
  return TIME_KEY.test(key) && Number.isSafeInteger(value) && value >= EPOCH_MS_MIN && value < EPOCH_MS_MAX
}

function scrubValue(key: string, value: unknown): unknown {
  if (typeof value === 'string') return scrubText(value)
  if (typeof value === 'number') {
    if (isTimestamp(key, value)) return value
    return scrubText(String(value)) === String(value) ? value : SCRUBBED
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue('', v))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[scrubText(k)] = scrubValue(k, v)
    return out
  }
  return value
}

/** One collected line, scrubbed: JSON lines field by field, any other line as text. */
export function scrubLogLine(line: string): string {
  if (line.startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      return scrubText(line)
    }
    // A number past 2^53 comes back rounded, but with as many digits: it is scrubbed all the same.
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return JSON.stringify(scrubValue('', parsed))
    }
  }
  return scrubText(line)
}
