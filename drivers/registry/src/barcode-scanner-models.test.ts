import { describe, expect, it } from 'vitest'
import type { DeviceDefinition } from './definition.ts'
import { allDefinitions } from './definitions.ts'
import { createRegistry } from './find-definition.ts'
import { definitionProblems } from './validate.ts'

describe('barcode scanner definitions', () => {
  const scanners = allDefinitions.filter((d) => d.deviceClass === 'barcodeScanner')

  it('lists real models in all three modes, each with barcode quirks for scanner-barcode', () => {
    expect(scanners.map((d) => d.id)).toEqual(
      expect.arrayContaining([
        'honeywell-voyager-1400g-hid-pos',
        'honeywell-usb-keyboard-wedge',
        'honeywell-xenon-1900-rs232',
        'zebra-ds2208-keyboard-wedge',
        'grow-gm65',
      ]),
    )
    expect(new Set(scanners.map((d) => d.quirks.barcode?.mode))).toEqual(new Set(['hidPos', 'hidKeyboard', 'serial']))
    for (const d of scanners) expect(d.driver).toBe('scanner-barcode')
  })

  it('finds USB scanners by the ids discovery reports', () => {
    const registry = createRegistry(allDefinitions)
    expect(registry.findDefinition({ vendorId: 0x0c2e, productId: 0x0b8f })?.id).toBe('honeywell-voyager-1400g-hid-pos')
    expect(registry.findDefinition({ vendorId: '05e0', productId: '1200' })?.id).toBe('zebra-ds2208-keyboard-wedge')
  })

  it('rejects a barcode mode on the wrong transport and malformed hex', () => {
    const base = scanners.find((d) => d.id === 'grow-gm65')!
    const wrong: DeviceDefinition = {
      ...base,
      transport: 'hid',
      match: [{ usbVendorId: 1, usbProductId: 1 }],
      quirks: { barcode: { mode: 'serial', suffixHex: '0D' } },
    }
    const problems = definitionProblems(wrong).join('\n')
    expect(problems).toMatch(/barcode mode serial needs transport serial/)
    expect(problems).toMatch(/barcode.suffixHex must be lower-case hex/)
  })
})
