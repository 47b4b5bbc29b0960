import { createMemoryTransportPair } from '@drivers/core'
import { describe, expect, it, vi } from 'vitest'
import { DLE_EOT, encodeReceipt, generic58mm, generic80mm } from '../codec/index.ts'
import { EscPosEmulator } from './escpos-emulator.ts'
import { renderText } from './render-text.ts'

async function setup(options: Partial<ConstructorParameters<typeof EscPosEmulator>[0]> = {}) {
  const { host, device } = createMemoryTransportPair()
  const emulator = new EscPosEmulator({ transport: device, ...options })
  await emulator.start()
  await host.open()
  const replies: number[] = []
  host.onData((chunk) => replies.push(...chunk))
  const settle = () => new Promise((r) => setTimeout(r, 0))
  return { host, emulator, replies, settle }
}

describe('EscPosEmulator', () => {
  it('answers DLE EOT 1–4 while healthy with 0x12', async () => {
    const { host, replies, settle } = await setup()
    for (const n of [1, 2, 3, 4]) await host.write(Uint8Array.of(...DLE_EOT, n))
    await settle()
    expect(replies).toEqual([0x12, 0x12, 0x12, 0x12])
  })

  it('runs the roll low, then out, sending ASB on each change and stopping the mechanism', async () => {
    const { host, emulator, replies, settle } = await setup({ rollLengthMm: 10, nearEndMm: 8 })
    await host.write(Uint8Array.of(0x1d, 0x61, 0x0e))
    await settle()
    expect(replies.splice(0)).toEqual([0x10, 0x00, 0x00, 0x00])
    const lines = Array.from({ length: 4 }, (_, i) => ({ type: 'text' as const, text: `line ${i}` }))
    await host.write(encodeReceipt({ elements: lines }, { profile: generic80mm }).bytes)
    await settle()
    // 30 dots = 3.75 mm a line: 2 lines print (7.5 mm, near end), the third does not fit
    expect(emulator.counters.lines).toBe(2)
    expect(replies.splice(0)).toEqual([0x10, 0x00, 0x03, 0x00, 0x18, 0x00, 0x0f, 0x00])
    expect(emulator.status).toMatchObject({ paperEnd: true, offline: true })
    for (const n of [1, 2, 4]) await host.write(Uint8Array.of(...DLE_EOT, n))
    await settle()
    expect(replies.splice(0)).toEqual([0x1a, 0x32, 0x7e])
    emulator.loadPaper()
    await settle()
    expect(emulator.counters.lines).toBe(4)
  })

  it('jams the cutter on request and recovers on DLE ENQ 1', async () => {
    const { host, emulator, replies, settle } = await setup()
    emulator.jamNextCut()
    await host.write(
      encodeReceipt({ elements: [{ type: 'cut' }, { type: 'text', text: 'after' }] }, { profile: generic80mm }).bytes,
    )
    await host.write(Uint8Array.of(...DLE_EOT, 3))
    await settle()
    expect(replies).toEqual([0x1a])
    expect(emulator.counters.lines).toBe(0)
    await host.write(Uint8Array.of(0x10, 0x05, 0x01))
    await settle()
    expect(emulator.counters.cuts).toBe(1)
    expect(emulator.counters.lines).toBe(1)
  })

  it('wraps text wider than the paper and renders it as text', async () => {
    const { host, emulator, settle } = await setup({ profile: generic58mm })
    const text = '一二三四五六七八九十一二三四五六七八'
    await host.write(
      encodeReceipt({ elements: [{ type: 'text', text, align: 'center' }] }, { profile: generic58mm }).bytes,
    )
    await settle()
    expect(renderText(emulator.printed, generic58mm.dotsPerLine)).toBe(
      '一二三四五六七八九十一二三四五六\n              七八\n',
    )
  })

  it('counts garbage, keeps going, and lets behaviors take commands first', async () => {
    const seen: string[] = []
    const { host, emulator, replies, settle } = await setup({
      behaviors: [
        {
          onCommand: (command) => {
            seen.push(command.type)
            return command.type === 'realtimeStatus'
          },
        },
      ],
    })
    await host.write(Uint8Array.from([0x01, 0x02, 0x10, 0x04, 0x01, 0x41, 0x0a]))
    await settle()
    expect(emulator.counters.discarded).toBe(2)
    expect(replies).toEqual([])
    expect(seen).toEqual(['realtimeStatus', 'text', 'lineFeed'])
    expect(emulator.counters.lines).toBe(1)
  })

  it('prints slowly when told to, one item per delay', async () => {
    vi.useFakeTimers()
    try {
      const { host, emulator } = await setup({ delayMs: 100 })
      const elements = Array.from({ length: 3 }, () => ({ type: 'text' as const, text: 'x' }))
      await host.write(encodeReceipt({ elements }, { profile: generic80mm }).bytes)
      await vi.advanceTimersByTimeAsync(0)
      expect(emulator.counters.lines).toBe(1)
      await vi.advanceTimersByTimeAsync(100)
      expect(emulator.counters.lines).toBe(2)
      await vi.advanceTimersByTimeAsync(100)
      expect(emulator.counters.lines).toBe(3)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('EscPosEmulator pacing', () => {
  it('takes bytes in no faster than the wire: 1152 B at 115200 baud = 100 ms', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    try {
      const { host, emulator } = await setup({ baudRate: 115200 })
      await host.write(new Uint8Array(1152).fill(0x78))
      await vi.advanceTimersByTimeAsync(99)
      expect(emulator.counters.bytesReceived).toBe(0)
      await vi.advanceTimersByTimeAsync(1)
      expect(emulator.counters.bytesReceived).toBe(1152)
      expect(() => new EscPosEmulator({ transport: host, baudRate: 0 })).toThrow(/baudRate/)
    } finally {
      vi.useRealTimers()
    }
  })
})
