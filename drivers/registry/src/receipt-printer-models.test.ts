import { describe, expect, it } from 'vitest'
import { allDefinitions } from './definitions.ts'
import { createRegistry } from './find-definition.ts'

describe('receipt printer definitions', () => {
  const printers = allDefinitions.filter((d) => d.deviceClass === 'receiptPrinter')

  it('lists real models, each with ESC/POS quirks for printer-escpos and USB ids (the generic one has none)', () => {
    expect(printers.map((d) => d.id)).toEqual(
      expect.arrayContaining(['epson-tm-t88v', 'epson-tm-t20ii', 'xprinter-xp-t58h', 'gprinter-gp-58mbiii']),
    )
    for (const d of printers) {
      expect(d.driver).toBe('printer-escpos')
      expect([58, 80]).toContain(d.quirks.escpos?.paperWidthMm)
      if (d.vendor !== 'generic') expect(d.match.length).toBeGreaterThan(0)
    }
  })

  it('finds a printer by the USB id discovery reports', () => {
    const registry = createRegistry(allDefinitions)
    expect(registry.findDefinition({ vendorId: '0483', productId: '5743' })?.id).toBe('xprinter-xp-t58h')
    expect(registry.findDefinition({ vendorId: 0x04b8, productId: 0x0202 })?.id).toBe('epson-tm-t88v')
  })
})
