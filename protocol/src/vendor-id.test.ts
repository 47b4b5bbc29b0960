import { describe, expect, it } from 'vitest'
import { isVendorId, vendorIdOfName, vendorIdOfPeripheral } from './vendor-id.ts'

describe('canonical vendor id', () => {
  it.each([
    ['Epson', 'epson'],
    ['Xprinter (芯烨)', 'xprinter'],
    ['Zebra (Symbol)', 'zebra'],
    ['Gprinter（佳博）', 'gprinter'],
    ['generic', 'generic'],
    ['Honeywell ', 'honeywell'],
    ['Ｅｐｓｏｎ', 'epson'],
    ['神思', ''],
  ])('maps the display vendor %s to %s', (name, id) => {
    expect(vendorIdOfName(name)).toBe(id)
  })

  it("takes the registry model id's first segment over the display vendor", () => {
    expect(vendorIdOfPeripheral({ vendor: 'Xprinter (芯烨)', modelId: 'xprinter-xp-t58h' })).toBe('xprinter')
    expect(vendorIdOfPeripheral({ vendor: 'Anything', modelId: 'epson-tm-t20ii' })).toBe('epson')
    expect(vendorIdOfPeripheral({ vendor: 'Epson' })).toBe('epson')
    expect(vendorIdOfPeripheral({ vendor: '神思' })).toBeNull()
    expect(vendorIdOfPeripheral({ vendor: null, modelId: null })).toBeNull()
  })

  it('accepts only one lower-case slug segment as a vendor id', () => {
    expect(isVendorId('epson')).toBe(true)
    for (const bad of ['Epson', 'x-printer', '', 'epson ']) expect(isVendorId(bad)).toBe(false)
  })
})
