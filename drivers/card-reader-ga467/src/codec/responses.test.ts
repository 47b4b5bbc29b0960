import { describe, expect, it } from 'vitest'
import frames from '../../fixtures/frames.json' with { type: 'json' }
import { FrameDecoder } from './frame.ts'
import { decodeResponse, encodeResponse, encodeResponseBody, type SamResponse } from './responses.ts'
import { formatSamId, toHex } from './sam-id.ts'
import { isSamFault, SAM_STATUSES, samStatus, samStatusCode } from './sam-status.ts'

const text = new Uint8Array(256).fill(0x20)
const photo = new Uint8Array(1024)
const body = (r: SamResponse) => encodeResponseBody(r)
const ok = { sw1: 0, sw2: 0, sw3: 0x90 }

describe('SAM replies', () => {
  it.each(frames.workedExample.fingerprintVariants)(
    'frames a 30 10 read with $fingerprintBytes fingerprint bytes as in §1.10',
    ({ fingerprintBytes, lengthHex, total }) => {
      const reply = encodeResponse({
        type: 'cardData',
        ...ok,
        text,
        photo,
        fingerprints: new Uint8Array(fingerprintBytes),
      })
      expect(reply.length).toBe(total)
      expect(toHex(reply.subarray(5, 7))).toBe(lengthHex)
      const events = new FrameDecoder().push(reply)
      const frame = events[0]!
      if (frame.kind !== 'frame') throw new Error('expected a frame')
      const decoded = decodeResponse(frame.body, 'readCardWithFingerprint')
      expect(decoded.ok && decoded.value.type === 'cardData' && decoded.value.fingerprints?.length).toBe(
        fingerprintBytes,
      )
    },
  )

  it('decodes each command’s reply type', () => {
    const cases: [SamResponse, Parameters<typeof decodeResponse>[1]][] = [
      [{ type: 'findCard', ...ok, sw3: 0x9f, data: new Uint8Array(4) }, 'findCard'],
      [{ type: 'selectCard', ...ok, serial: new Uint8Array(8) }, 'selectCard'],
      [{ type: 'samId', ...ok, samId: new Uint8Array(16) }, 'readSamId'],
      [{ type: 'additionalAddress', ...ok, data: new Uint8Array(70) }, 'readAdditionalAddress'],
      [{ type: 'cardData', ...ok, text, photo, fingerprints: undefined }, 'readCard'],
      [{ type: 'status', ...ok }, 'resetSam'],
    ]
    for (const [response, command] of cases)
      expect(decodeResponse(body(response), command)).toEqual({ ok: true, value: response })
  })

  it('reads any non-success SW3 as a plain status, whatever the command', () => {
    expect(decodeResponse(Uint8Array.of(0, 0, 0x80), 'findCard')).toEqual({
      ok: true,
      value: { type: 'status', sw1: 0, sw2: 0, sw3: 0x80 },
    })
    expect(decodeResponse(Uint8Array.of(0x6a, 0x82, 0x41), 'readCard')).toMatchObject({
      ok: true,
      value: { sw1: 0x6a, sw3: 0x41 },
    })
  })

  it('returns invalidData, never throws, on malformed data', () => {
    expect(decodeResponse(Uint8Array.of(0, 0), 'samStatus')).toMatchObject({
      ok: false,
      error: { code: 'invalidData' },
    })
    expect(decodeResponse(Uint8Array.of(0, 0, 0x90, 1), 'readSamId')).toMatchObject({ ok: false })
    expect(decodeResponse(Uint8Array.of(0, 0, 0x90, 1, 0, 4, 0), 'readCard')).toMatchObject({ ok: false })
    expect(decodeResponse(Uint8Array.of(0, 0, 0x90, 0, 9, 4, 0), 'readCard')).toMatchObject({ ok: false })
    expect(decodeResponse(Uint8Array.of(0, 0, 0x90, 1, 0, 9, 0), 'readCard')).toMatchObject({ ok: false })
    expect(decodeResponse(Uint8Array.of(0, 0, 0x90, 1, 0, 4, 0, 0, 7), 'readCardWithFingerprint')).toMatchObject({
      ok: false,
    })
    expect(decodeResponse(Uint8Array.of(0, 0, 0x9f, 1), 'findCard')).toMatchObject({ ok: false })
  })

  it('has every §1.4 status with Chinese and English messages', () => {
    expect(SAM_STATUSES.map((s) => s.sw3.toString(16))).toEqual([
      '90',
      '9f',
      '91',
      '10',
      '11',
      '21',
      '23',
      '24',
      '31',
      '32',
      '33',
      '40',
      '41',
      '47',
      '60',
      '66',
      '80',
      '81',
    ])
    for (const s of SAM_STATUSES) {
      expect(s.zh).toMatch(/[\u4e00-\u9fff]/u)
      expect(s.en).toMatch(/[a-z]/)
      expect(samStatusCode(s.name as Exclude<typeof s.name, 'unknown'>)).toBe(s.sw3)
    }
    expect(samStatus(0x77)).toMatchObject({ name: 'unknown', en: 'unknown status 77' })
    expect(isSamFault('samSelfTestFailed')).toBe(true)
    expect(isSamFault('findCardFailed')).toBe(false)
  })

  it('formats the SAM id the HslCommunication way and as hex', () => {
    const id = Uint8Array.of(5, 0, 1, 0, 0x39, 0x30, 0, 0, 0x15, 0xcd, 0x5b, 0x07, 0xb1, 0x68, 0xde, 0x3a)
    expect(formatSamId(id)).toEqual({
      hex: '0500010039300000 15cd5b07b168de3a'.replace(' ', ''),
      formatted: '05.01-12345-123456789-987654321',
    })
  })

  it('names the field on bad encode input', () => {
    expect(() => encodeResponseBody({ type: 'status', sw1: 0, sw2: 0, sw3: 300 })).toThrow(/sw3/)
  })
})
