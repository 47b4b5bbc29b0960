import { describe, expect, it } from 'vitest'
import {
  decodeAsb,
  decodeRealtimeStatus,
  decodeTransmitPaperStatus,
  encodeAsb,
  encodeRealtimeStatus,
  encodeTransmitPaperStatus,
  healthyBits,
  isAsbFirstByte,
  isRealtimeReply,
  type PrinterStatusBits,
  toDeviceStatus,
} from './status.ts'

describe('DLE EOT real-time status (§2.4 table)', () => {
  it.each([
    [1, 0x12, { offline: false, feedButton: false }],
    [1, 0x1a, { offline: true, feedButton: false }],
    [1, 0x52, { offline: false, feedButton: true }],
    [2, 0x12, { coverOpen: false, paperEndStop: false, errorOccurred: false }],
    [2, 0x16, { coverOpen: true, paperEndStop: false, errorOccurred: false }],
    [2, 0x32, { coverOpen: false, paperEndStop: true, errorOccurred: false }],
    [2, 0x52, { coverOpen: false, paperEndStop: false, errorOccurred: true }],
    [3, 0x1a, { recoverableError: false, cutterError: true, unrecoverableError: false, autoRecoverableError: false }],
    [3, 0x32, { recoverableError: false, cutterError: false, unrecoverableError: true, autoRecoverableError: false }],
    [3, 0x52, { recoverableError: false, cutterError: false, unrecoverableError: false, autoRecoverableError: true }],
    [3, 0x16, { recoverableError: true, cutterError: false, unrecoverableError: false, autoRecoverableError: false }],
    [4, 0x12, { paperNearEnd: false, paperEnd: false }],
    [4, 0x1e, { paperNearEnd: true, paperEnd: false }],
    [4, 0x72, { paperNearEnd: false, paperEnd: true }],
    [4, 0x7e, { paperNearEnd: true, paperEnd: true }],
  ] as const)('DLE EOT %i reply %s', (n, byte, expected) => {
    expect(isRealtimeReply(byte)).toBe(true)
    expect(decodeRealtimeStatus(n, byte)).toEqual(expected)
  })

  it('reads the published paper-out example 1A 32 7E as offline, stopped, paper out', () => {
    const bits: PrinterStatusBits = {
      ...healthyBits(),
      ...decodeRealtimeStatus(1, 0x1a),
      ...decodeRealtimeStatus(2, 0x32),
      ...decodeRealtimeStatus(4, 0x7e),
    }
    expect(toDeviceStatus(bits)).toEqual({ state: 'userError', paper: 'out', cover: 'closed', errorCode: 'paperOut' })
  })

  it('encodes what it decodes, with fixed bits 1 and 4 set', () => {
    const all: (keyof PrinterStatusBits)[] = Object.keys(healthyBits()) as (keyof PrinterStatusBits)[]
    for (const key of all) {
      const bits = { ...healthyBits(), [key]: true }
      for (const n of [1, 2, 3, 4] as const) {
        const byte = encodeRealtimeStatus(n, bits)
        expect(isRealtimeReply(byte)).toBe(true)
        const decoded = decodeRealtimeStatus(n, byte)
        for (const [field, value] of Object.entries(decoded)) expect(value).toBe(bits[field as keyof PrinterStatusBits])
      }
    }
    expect(encodeRealtimeStatus(1, healthyBits())).toBe(0x12)
  })
})

describe('Automatic Status Back (GS a)', () => {
  it('decodes the four bytes', () => {
    expect(decodeAsb([0x10, 0x00, 0x00, 0x00])).toEqual(healthyBits())
    expect(decodeAsb([0x38, 0x00, 0x00, 0x00])).toMatchObject({ offline: true, coverOpen: true })
    expect(decodeAsb([0x18, 0x00, 0x0c, 0x00])).toMatchObject({ offline: true, paperEnd: true, paperEndStop: true })
    expect(decodeAsb([0x10, 0x00, 0x03, 0x00])).toMatchObject({ paperNearEnd: true, paperEnd: false })
    expect(decodeAsb([0x18, 0x08, 0x00, 0x00])).toMatchObject({ cutterError: true, errorOccurred: true })
    expect(decodeAsb([0x18, 0x20, 0x00, 0x00])).toMatchObject({ unrecoverableError: true })
    expect(decodeAsb([0x18, 0x40, 0x00, 0x00])).toMatchObject({ autoRecoverableError: true })
  })

  it('round-trips through encodeAsb; byte 1 has the 0xx1xx00 pattern', () => {
    const bits = { ...healthyBits(), offline: true, coverOpen: true, paperNearEnd: true, cutterError: true }
    const bytes = encodeAsb(bits)
    expect(isAsbFirstByte(bytes[0])).toBe(true)
    expect(isRealtimeReply(bytes[0])).toBe(false)
    expect(decodeAsb(bytes)).toEqual({ ...bits, errorOccurred: true })
  })

  it('decodes GS r 1 paper status', () => {
    expect(decodeTransmitPaperStatus(0x00)).toEqual({ paperNearEnd: false, paperEnd: false })
    expect(decodeTransmitPaperStatus(0x03)).toEqual({ paperNearEnd: true, paperEnd: false })
    expect(decodeTransmitPaperStatus(0x0c)).toEqual({ paperNearEnd: false, paperEnd: true })
    expect(encodeTransmitPaperStatus({ ...healthyBits(), paperEnd: true })).toBe(0x0c)
  })
})

describe('XFS4IoT reading of the bits', () => {
  it.each([
    [{}, { state: 'online', paper: 'full', cover: 'closed' }],
    [{ paperNearEnd: true }, { state: 'online', paper: 'low', cover: 'closed' }],
    [
      { paperEnd: true, offline: true },
      { state: 'userError', paper: 'out', cover: 'closed', errorCode: 'paperOut' },
    ],
    [
      { coverOpen: true, offline: true },
      { state: 'userError', paper: 'full', cover: 'open', errorCode: 'coverOpen' },
    ],
    [{ cutterError: true }, { state: 'hardwareError', paper: 'full', cover: 'closed', errorCode: 'cutterError' }],
    [
      { unrecoverableError: true, cutterError: true },
      { state: 'hardwareError', paper: 'full', cover: 'closed', errorCode: 'unrecoverableError' },
    ],
    [
      { recoverableError: true },
      { state: 'hardwareError', paper: 'full', cover: 'closed', errorCode: 'mechanicalError' },
    ],
    [
      { autoRecoverableError: true },
      { state: 'offline', paper: 'full', cover: 'closed', errorCode: 'autoRecoverableError' },
    ],
    [{ offline: true }, { state: 'offline', paper: 'full', cover: 'closed' }],
  ] as const)('%o → %o', (patch, expected) => {
    expect(toDeviceStatus({ ...healthyBits(), ...patch })).toEqual(expected)
  })
})
