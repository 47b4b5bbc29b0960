import { KEYBOARD_REPORT_SIZE, MOD_LEFT_SHIFT, MOD_RIGHT_ALT, USAGE_ENTER, USAGE_TAB } from './constants.ts'
import type { KeyboardSuffix } from './hid-keyboard-decoder.ts'
import { type KeyboardLayout, strokesFor } from './keyboard-layouts.ts'

/**
 * Text → boot keyboard reports as a wedge scanner types it: press then all-zero release for every
 * character, then the suffix key. Throws TypeError naming a character the layout cannot type
 * (Chinese cannot go through a keyboard wedge, §3.1 pitfalls).
 */
export function encodeKeyboardReports(
  text: string,
  layout: KeyboardLayout,
  suffix: KeyboardSuffix = 'enter',
): Uint8Array[] {
  const strokes = strokesFor(layout)
  const reports: Uint8Array[] = []
  const press = (usage: number, modifiers: number) => {
    const report = new Uint8Array(KEYBOARD_REPORT_SIZE)
    report[0] = modifiers
    report[2] = usage
    reports.push(report, new Uint8Array(KEYBOARD_REPORT_SIZE))
  }
  for (const char of text) {
    if (char === '\n') {
      press(USAGE_ENTER, 0)
      continue
    }
    if (char === '\t') {
      press(USAGE_TAB, 0)
      continue
    }
    const stroke = strokes.get(char)
    if (!stroke) throw new TypeError(`text: character ${JSON.stringify(char)} cannot be typed on this keyboard layout`)
    press(stroke.usage, stroke.level === 2 ? MOD_RIGHT_ALT : stroke.level === 1 ? MOD_LEFT_SHIFT : 0)
  }
  if (suffix === 'enter') press(USAGE_ENTER, 0)
  if (suffix === 'tab') press(USAGE_TAB, 0)
  return reports
}
