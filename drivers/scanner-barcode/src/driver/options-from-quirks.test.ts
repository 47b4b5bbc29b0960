import { describe, expect, it } from 'vitest'
import { driverOptionsFromQuirks } from './options-from-quirks.ts'

describe('driverOptionsFromQuirks', () => {
  it('turns a serial manual-trigger entry into framing and trigger bytes', () => {
    expect(
      driverOptionsFromQuirks({
        mode: 'serial',
        suffixHex: '0d0a',
        prefixHex: '02',
        aimIdPrefix: true,
        triggerStartHex: '16540d',
        triggerStopHex: '16550d',
        encoding: 'gbk',
      }),
    ).toEqual({
      mode: 'serial',
      serial: { suffix: Uint8Array.of(13, 10), prefix: Uint8Array.of(2), aimIdPrefix: true },
      triggerStart: Uint8Array.of(0x16, 0x54, 0x0d),
      triggerStop: Uint8Array.of(0x16, 0x55, 0x0d),
      encoding: 'gbk',
    })
  })

  it('defaults the serial suffix to CR, passes the keyboard layout, and names a bad hex quirk', () => {
    expect(driverOptionsFromQuirks({ mode: 'serial' }).serial).toEqual({ suffix: Uint8Array.of(13) })
    expect(driverOptionsFromQuirks({ mode: 'hidKeyboard', keyboardLayout: 'de' })).toEqual({
      mode: 'hidKeyboard',
      keyboardLayout: 'de',
    })
    expect(() => driverOptionsFromQuirks({ mode: 'serial', suffixHex: 'xx' })).toThrow(/quirks.barcode.suffixHex/)
  })
})
