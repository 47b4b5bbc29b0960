import {
  KEYBOARD_REPORT_SIZE,
  MOD_RIGHT_ALT,
  MOD_SHIFT,
  USAGE_ENTER,
  USAGE_ERROR_ROLLOVER,
  USAGE_KEYPAD_ENTER,
  USAGE_TAB,
} from './constants.ts'
import type { ScanDecodeEvent, ScanDecoder } from './decode-event.ts'
import type { KeyboardLayout } from './keyboard-layouts.ts'

export type KeyboardSuffix = 'enter' | 'tab' | 'none'

export interface HidKeyboardDecoderOptions {
  layout: KeyboardLayout
  /** The key that ends a scan. `none`: the driver ends scans on an idle timeout (`flush()`). */
  suffix?: KeyboardSuffix
  /** Longest scan in characters; longer input is discarded as overflow. Default 4096. */
  maxLength?: number
}

const encoder = new TextEncoder()

/**
 * Boot keyboard reports (§3.1) → scanned text. A key counts when it appears in a report and was not
 * down in the previous one, so a repeated character needs the release report in between (as
 * scanners send it). Shift and AltGr select the layout level. Reports of the wrong size, the
 * rollover-error report and keys the layout does not know are discarded, never thrown.
 */
export class HidKeyboardDecoder implements ScanDecoder {
  readonly #layout: KeyboardLayout
  readonly #suffix: KeyboardSuffix
  readonly #maxLength: number
  #down = new Set<number>()
  #text = ''
  #overflowed = false

  constructor(options: HidKeyboardDecoderOptions) {
    const maxLength = options.maxLength ?? 4096
    if (!Number.isInteger(maxLength) || maxLength < 1) {
      throw new TypeError(`HidKeyboardDecoderOptions.maxLength must be a positive integer, got ${maxLength}`)
    }
    this.#layout = options.layout
    this.#suffix = options.suffix ?? 'enter'
    this.#maxLength = maxLength
  }

  push(report: Uint8Array): ScanDecodeEvent[] {
    if (report.length !== KEYBOARD_REPORT_SIZE) return [{ kind: 'discarded', bytes: report.slice(), reason: 'garbage' }]
    const keys = [...report.subarray(2)].filter((k) => k !== 0)
    if (keys.includes(USAGE_ERROR_ROLLOVER)) return [{ kind: 'discarded', bytes: report.slice(), reason: 'garbage' }]
    const modifiers = report[0]!
    const level = modifiers & MOD_RIGHT_ALT ? 2 : modifiers & MOD_SHIFT ? 1 : 0
    const events: ScanDecodeEvent[] = []
    const now = new Set(keys)
    for (const usage of keys) {
      if (this.#down.has(usage)) continue
      events.push(...this.#key(usage, level))
    }
    this.#down = now
    return events
  }

  flush(): ScanDecodeEvent[] {
    return this.#end()
  }

  reset(): ScanDecodeEvent[] {
    this.#down.clear()
    const partial = this.#text
    this.#text = ''
    this.#overflowed = false
    return partial === '' ? [] : [{ kind: 'discarded', bytes: encoder.encode(partial), reason: 'garbage' }]
  }

  #key(usage: number, level: 0 | 1 | 2): ScanDecodeEvent[] {
    if (usage === USAGE_ENTER || usage === USAGE_KEYPAD_ENTER) {
      if (this.#suffix === 'enter') return this.#end()
      return this.#append('\n')
    }
    if (usage === USAGE_TAB) {
      if (this.#suffix === 'tab') return this.#end()
      return this.#append('\t')
    }
    const levels = this.#layout[usage]
    const char = levels?.[level] ?? (level === 2 ? undefined : levels?.[0])
    if (char === undefined) return [{ kind: 'discarded', bytes: Uint8Array.of(usage), reason: 'garbage' }]
    return this.#append(char)
  }

  #append(char: string): ScanDecodeEvent[] {
    if (this.#overflowed) return []
    if (this.#text.length + char.length > this.#maxLength) {
      this.#overflowed = true
      const bytes = encoder.encode(this.#text)
      this.#text = ''
      return [{ kind: 'discarded', bytes, reason: 'overflow' }]
    }
    this.#text += char
    return []
  }

  #end(): ScanDecodeEvent[] {
    const text = this.#text
    const overflowed = this.#overflowed
    this.#text = ''
    this.#overflowed = false
    if (overflowed || text === '') return []
    return [{ kind: 'scan', bytes: encoder.encode(text) }]
  }
}
