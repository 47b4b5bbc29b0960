import { createMemoryTransportPair } from '@drivers/core'
import { describe, expect, it } from 'vitest'
import permit from '../../fixtures/cards/hk-macau-taiwan.json' with { type: 'json' }
import { encodeCommand, encodeFrame, FrameDecoder, toHex } from '../codec/index.ts'
import { parseCardFile, syntheticWlt } from './emulated-card.ts'
import { Ga467Emulator } from './ga467-emulator.ts'

/** Sends one frame from the host end and resolves with the SW1 SW2 SW3 of the reply. */
async function talk(host: ReturnType<typeof createMemoryTransportPair>['host'], bytes: Uint8Array) {
  const decoder = new FrameDecoder()
  const reply = new Promise<string>((resolve) => {
    const off = host.onData((chunk) => {
      for (const e of decoder.push(chunk)) {
        if (e.kind === 'frame') {
          off()
          resolve(toHex(e.body.subarray(0, 3)))
        }
      }
    })
  })
  await host.write(bytes)
  return reply
}

describe('Ga467Emulator', () => {
  it('answers like a SAM: unknown command 21, bad checksum 10, read before select 41', async () => {
    const { host, device } = createMemoryTransportPair()
    await host.open()
    const emulator = new Ga467Emulator({ transport: device, card: parseCardFile(permit) })
    await emulator.start()
    expect(await talk(host, encodeFrame(Uint8Array.of(0x77, 0x01)))).toBe('000021')
    const bad = encodeCommand({ type: 'findCard' })
    bad[bad.length - 1]! ^= 1
    expect(await talk(host, bad)).toBe('000010')
    expect(await talk(host, encodeCommand({ type: 'readCard' }))).toBe('000041')
    expect(await talk(host, encodeCommand({ type: 'findCard' }))).toBe('00009f')
    expect(await talk(host, encodeCommand({ type: 'selectCard' }))).toBe('000090')
    expect(await talk(host, encodeCommand({ type: 'readCard' }))).toBe('000090')
    expect(emulator.cardState).toBe('halted')
    expect(await talk(host, encodeCommand({ type: 'findCard' }))).toBe('000080')
    expect(await talk(host, encodeCommand({ type: 'readAdditionalAddress' }))).toBe('000091')
    await emulator.stop()
  })

  it('validates card files and names the bad field', () => {
    expect(() => parseCardFile({ ...permit, cardType: 'passport' })).toThrow(/cardType/)
    expect(() => parseCardFile({ ...permit, gender: 'M' })).toThrow(/gender/)
    expect(() => parseCardFile({ ...permit, idNumber: 7 })).toThrow(/idNumber/)
    expect(() => parseCardFile({ ...permit, photoWlt: 'AAAA' })).toThrow(/photoWlt/)
    expect(() => parseCardFile({ ...permit, fingerprintCount: 3 })).toThrow(/fingerprintCount/)
    expect(parseCardFile(permit).fingerprints).toHaveLength(512)
  })

  it('makes deterministic WLT-looking photos', () => {
    const a = syntheticWlt('x')
    expect(a).toHaveLength(1024)
    expect(toHex(a.subarray(0, 4))).toBe('574c6600')
    expect(syntheticWlt('x')).toEqual(a)
    expect(syntheticWlt('y')).not.toEqual(a)
  })
})
