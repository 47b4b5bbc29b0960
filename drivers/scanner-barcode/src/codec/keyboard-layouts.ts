/**
 * Keyboard layouts for HID keyboard-wedge scanners: usage ID (Usage Page 0x07) → the character
 * typed plain, with Shift, and with AltGr (right Alt). A scanner is programmed for the host's
 * layout; the same key codes mean different characters under another (docs/device-protocols.md §3.1,
 * "the host keyboard layout remaps characters"). Enter and Tab are handled by the decoder.
 */
export type KeyLevels = readonly [plain: string, shifted: string, altGr?: string]
export type KeyboardLayout = Readonly<Record<number, KeyLevels>>
export type KeyboardLayoutName = 'us' | 'de'

function letters(order: string): Record<number, KeyLevels> {
  const table: Record<number, KeyLevels> = {}
  for (let i = 0; i < order.length; i++) {
    const c = order[i]!
    table[0x04 + i] = [c, c.toUpperCase()]
  }
  return table
}

function digits(shifted: string): Record<number, KeyLevels> {
  const table: Record<number, KeyLevels> = {}
  const plain = '1234567890'
  for (let i = 0; i < 10; i++) table[0x1e + i] = [plain[i]!, shifted[i]!]
  return table
}

/** US layout, as in hathach/tinyusb `HID_KEYCODE_TO_ASCII` (§3.1 table). */
export const US_LAYOUT: KeyboardLayout = {
  ...letters('abcdefghijklmnopqrstuvwxyz'),
  ...digits('!@#$%^&*()'),
  44: [' ', ' '],
  45: ['-', '_'],
  46: ['=', '+'],
  47: ['[', '{'],
  48: [']', '}'],
  49: ['\\', '|'],
  51: [';', ':'],
  52: ["'", '"'],
  53: ['`', '~'],
  54: [',', '<'],
  55: ['.', '>'],
  56: ['/', '?'],
}

/** German QWERTZ (Y and Z swapped, umlauts, AltGr for @ [ ] { } \ | ~ €). */
export const DE_LAYOUT: KeyboardLayout = {
  ...letters('abcdefghijklmnopqrstuvwxzy'),
  20: ['q', 'Q', '@'],
  8: ['e', 'E', '€'],
  30: ['1', '!'],
  31: ['2', '"'],
  32: ['3', '§'],
  33: ['4', '$'],
  34: ['5', '%'],
  35: ['6', '&'],
  36: ['7', '/', '{'],
  37: ['8', '(', '['],
  38: ['9', ')', ']'],
  39: ['0', '=', '}'],
  44: [' ', ' '],
  45: ['ß', '?', '\\'],
  46: ['´', '`'],
  47: ['ü', 'Ü'],
  48: ['+', '*', '~'],
  50: ['#', "'"],
  51: ['ö', 'Ö'],
  52: ['ä', 'Ä'],
  53: ['^', '°'],
  54: [',', ';'],
  55: ['.', ':'],
  56: ['-', '_'],
  100: ['<', '>', '|'],
}

export const KEYBOARD_LAYOUTS: Readonly<Record<KeyboardLayoutName, KeyboardLayout>> = { us: US_LAYOUT, de: DE_LAYOUT }

export type KeyStroke = { usage: number; level: 0 | 1 | 2 }

/** Reverse table for emulators: character → the key and level that types it. */
export function strokesFor(layout: KeyboardLayout): Map<string, KeyStroke> {
  const map = new Map<string, KeyStroke>()
  for (const [usage, levels] of Object.entries(layout)) {
    levels.forEach((c, level) => {
      if (c !== undefined && !map.has(c)) map.set(c, { usage: Number(usage), level: level as 0 | 1 | 2 })
    })
  }
  return map
}
