import { allDefinitions } from '@drivers/registry'
import { describe, expect, it } from 'vitest'
import { udevRules } from './udev-rules.ts'

const hex = (n: number) => n.toString(16).padStart(4, '0')

describe('udev rules from the device registry', () => {
  const rules = udevRules(allDefinitions)
  const lines = rules.split('\n').filter((l) => l !== '' && !l.startsWith('#'))

  it('gives the kiosk user every USB model of the registry through the node its transport opens', () => {
    const usbModels = allDefinitions.filter((d) => d.match.length > 0)
    expect(usbModels.length).toBeGreaterThan(0)
    const subsystem = { hid: 'hidraw', serial: 'tty', usb: 'usb' } as Record<string, string>
    for (const d of usbModels) {
      for (const m of d.match) {
        const expected = subsystem[d.transport]
        if (expected === undefined) continue
        const rule = lines.find(
          (l) =>
            l.startsWith(`SUBSYSTEM=="${expected}"`) &&
            l.includes(`=="${hex(m.usbVendorId)}"`) &&
            l.includes(`=="${hex(m.usbProductId)}"`),
        )
        expect(rule, `${d.id} ${hex(m.usbVendorId)}:${hex(m.usbProductId)}`).toMatch(/GROUP="kiosk", MODE="0660"$/)
      }
    }
  })

  it('USB receipt printers are reachable as raw USB and through usblp', () => {
    const printer = allDefinitions.find((d) => d.transport === 'usb' && d.match.length > 0)
    const id = printer?.match[0] as { usbVendorId: number; usbProductId: number }
    const forIt = lines.filter((l) => l.includes(`"${hex(id.usbVendorId)}"`) && l.includes(`"${hex(id.usbProductId)}"`))
    expect(forIt.some((l) => l.startsWith('SUBSYSTEM=="usb"'))).toBe(true)
    expect(forIt.some((l) => l.startsWith('SUBSYSTEM=="usbmisc", KERNEL=="lp[0-9]*"'))).toBe(true)
  })

  it('every rule line is a match-and-assign udev rule, never a RUN or a world-writable mode', () => {
    for (const line of lines) {
      expect(line).toMatch(/^SUBSYSTEM=="[a-z]+", .*GROUP="kiosk", MODE="0660"$/)
      expect(line).not.toMatch(/RUN|0666/)
    }
  })
})
