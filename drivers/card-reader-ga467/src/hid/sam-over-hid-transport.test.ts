import { createMemoryHidPair, HidTransport } from '@drivers/transport-hid'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import zhangSan from '../../fixtures/cards/resident-zhang-san.json' with { type: 'json' }
import { HID_FLAG_REQUEST } from '../codec/index.ts'
import { Ga467Reader } from '../driver/ga467-reader.ts'
import { Ga467Emulator, parseCardFile } from '../emulator/index.ts'
import { SamOverHidTransport } from './sam-over-hid-transport.ts'

describe('GA 467 over the vendor HID wrapper (in-memory HID reports)', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  async function hidRig() {
    const { host, device } = createMemoryHidPair('reader')
    const discarded: string[] = []
    const deviceSide = new SamOverHidTransport({
      side: 'device',
      inner: new HidTransport({ openDevice: async () => device }),
    })
    const emulator = new Ga467Emulator({ transport: deviceSide, card: parseCardFile(zhangSan) })
    await emulator.start()
    const reader = new Ga467Reader({
      openTransport: () =>
        new SamOverHidTransport({
          side: 'host',
          inner: new HidTransport({ openDevice: async () => host }),
          onDiscarded: (_bytes, reason) => discarded.push(reason),
        }),
    })
    await reader.open()
    return { reader, emulator, host, device, discarded }
  }

  it('reads a card with every SAM frame wrapped in 0x88/0xAA packets and 64-byte reports', async () => {
    const { reader, host, device } = await hidRig()
    const result = await reader.readCard()
    expect(result).toMatchObject({ ok: true, value: { name: '张三', cardType: 'resident' } })
    expect(host.written.every((r) => r.length === 64)).toBe(true)
    expect(host.written[0]![0]).toBe(HID_FLAG_REQUEST)
    // 1295-byte reply + 8 bytes of wrapper = 21 reports.
    expect(device.written.length).toBeGreaterThanOrEqual(21)
  })

  it('skips stray HID reports and reports them, without breaking the read', async () => {
    const { reader, device, discarded } = await hidRig()
    await device.write(Uint8Array.of(0x42, 0x42, 0, 0))
    expect(await reader.readCard()).toMatchObject({ ok: true })
    expect(discarded).toEqual(['garbage'])
  })

  it('reports an unplugged HID reader as noDevice', async () => {
    const { reader, host } = await hidRig()
    host.unplug()
    expect(reader.getStatus().state).toBe('noDevice')
    await reader.close()
  })
})
