import { describe, expect, it } from 'vitest'
import { createCodecs } from './codecs.ts'
import { sampleBirth, sampleHealth } from './fixtures.ts'

const codecs = createCodecs()

describe('payload codecs', () => {
  it('round-trips a birth and a health snapshot', () => {
    const birth = sampleBirth()
    expect(codecs.birth.decode(codecs.birth.encode(birth))).toEqual({ ok: true, value: birth })
    const health = sampleHealth()
    expect(codecs.health.decode(Buffer.from(codecs.health.encode(health)))).toEqual({ ok: true, value: health })
  })

  it('round-trips state, device status, events and command messages', () => {
    const state = { state: 'offline', session: 3, ts: 5, reason: 'lastWill' } as const
    expect(codecs.state.decode(JSON.stringify(state))).toEqual({ ok: true, value: state })
    const event = {
      seq: 9,
      ts: 10,
      deviceId: 'receipt',
      previous: { state: 'online', paper: 'low' },
      status: { state: 'userError', paper: 'out' },
      urgent: true,
    } as const
    expect(codecs.deviceStatusEvent.decode(codecs.deviceStatusEvent.encode(event))).toEqual({ ok: true, value: event })
    const request = { transaction: 'tx-0001-abcd', issuedAt: 1, expiresAt: 2, params: {} }
    expect(codecs.requests.ping.decode(JSON.stringify(request))).toEqual({ ok: true, value: request })
    const response = {
      transaction: 'tx-0001-abcd',
      ts: 3,
      status: 'error',
      error: { code: 'ERR_KIOSK_X', message: 'x' },
    }
    expect(codecs.responses.ping.decode(JSON.stringify(response)).ok).toBe(true)
  })

  it.each([
    ['not JSON', '{"seq":1,', 'notJson'],
    ['not UTF-8', Buffer.from([0xff, 0xfe, 0x00]), 'notJson'],
    ['an array', '[]', 'schema'],
    ['a negative sequence', JSON.stringify({ ...sampleHealth(), seq: -1 }), 'schema'],
    [
      'an unknown device state',
      JSON.stringify(
        sampleHealth({ peripherals: [{ deviceId: 'x', status: { state: 'fine' as 'online' }, counters: {} }] }),
      ),
      'schema',
    ],
    ['an extra field', JSON.stringify({ ...sampleHealth(), extra: 1 }), 'schema'],
    ['a kiosk id with a wildcard', JSON.stringify(sampleBirth({ kioskId: 'a/+' })), 'schema'],
    ['an oversized payload', 'x'.repeat(300 * 1024), 'tooLarge'],
  ] as const)('rejects %s with a reason and errors', (_name, payload, reason) => {
    const codec = String(_name).includes('kiosk id') ? codecs.birth : codecs.health
    const result = codec.decode(payload)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.reason).toBe(reason)
      expect(result.errors.length).toBeGreaterThan(0)
    }
  })

  it('refuses to encode a payload that breaks its schema', () => {
    expect(() => codecs.health.encode({ ...sampleHealth(), uptimeS: -5 })).toThrow(/uptimeS/)
  })

  it('never throws on random bytes', () => {
    let seed = 42
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256))
      expect(() => codecs.health.decode(bytes)).not.toThrow()
      expect(() => codecs.birth.decode(bytes)).not.toThrow()
    }
  })
})
