import type { DeviceStatus } from '@drivers/core'

/**
 * Printer status bits from DLE EOT 1–4, Automatic Status Back (GS a) and GS r 1
 * (docs/device-protocols.md §2.4; Epson TM-L60II, Citizen CT-S2000, TM-U220 manuals), and their
 * XFS4IoT reading. Each reply carries fixed bits: DLE EOT replies match (b & 0x93) == 0x12,
 * an ASB first byte (b & 0x93) == 0x10, and ASB bytes 2–4 and GS r replies (b & 0x90) == 0.
 */
export interface PrinterStatusBits {
  offline: boolean
  coverOpen: boolean
  feedButton: boolean
  /** Printing stopped because the roll ran out (DLE EOT 2 bit 5). */
  paperEndStop: boolean
  errorOccurred: boolean
  /** Mechanical / recoverable error (DLE EOT 3 bit 2, ASB byte 2 bit 2). */
  recoverableError: boolean
  cutterError: boolean
  unrecoverableError: boolean
  /** Head overheat and the like; clears by itself. */
  autoRecoverableError: boolean
  paperNearEnd: boolean
  paperEnd: boolean
}

export type RealtimeStatusKind = 1 | 2 | 3 | 4

export const healthyBits = (): PrinterStatusBits => ({
  offline: false,
  coverOpen: false,
  feedButton: false,
  paperEndStop: false,
  errorOccurred: false,
  recoverableError: false,
  cutterError: false,
  unrecoverableError: false,
  autoRecoverableError: false,
  paperNearEnd: false,
  paperEnd: false,
})

const bit = (byte: number, n: number): boolean => (byte & (1 << n)) !== 0

export function isRealtimeReply(byte: number): boolean {
  return (byte & 0x93) === 0x12
}

export function isAsbFirstByte(byte: number): boolean {
  return (byte & 0x93) === 0x10
}

/** The bits one DLE EOT n reply speaks for (the other fields are left out). */
export function decodeRealtimeStatus(n: RealtimeStatusKind, byte: number): Partial<PrinterStatusBits> {
  switch (n) {
    case 1:
      return { offline: bit(byte, 3), feedButton: bit(byte, 6) }
    case 2:
      return { coverOpen: bit(byte, 2), paperEndStop: bit(byte, 5), errorOccurred: bit(byte, 6) }
    case 3:
      return {
        recoverableError: bit(byte, 2),
        cutterError: bit(byte, 3),
        unrecoverableError: bit(byte, 5),
        autoRecoverableError: bit(byte, 6),
      }
    case 4:
      return { paperNearEnd: (byte & 0x0c) !== 0, paperEnd: (byte & 0x60) !== 0 }
  }
}

/** Mirror of decodeRealtimeStatus, for the emulator: fixed bits 1 and 4 set. */
export function encodeRealtimeStatus(n: RealtimeStatusKind, s: PrinterStatusBits): number {
  const set = (on: boolean, mask: number): number => (on ? mask : 0)
  switch (n) {
    case 1:
      return 0x12 | set(s.offline, 0x08) | set(s.feedButton, 0x40)
    case 2:
      return 0x12 | set(s.coverOpen, 0x04) | set(s.paperEndStop, 0x20) | set(s.errorOccurred, 0x40)
    case 3:
      return (
        0x12 |
        set(s.recoverableError, 0x04) |
        set(s.cutterError, 0x08) |
        set(s.unrecoverableError, 0x20) |
        set(s.autoRecoverableError, 0x40)
      )
    case 4:
      return 0x12 | set(s.paperNearEnd, 0x0c) | set(s.paperEnd, 0x60)
  }
}

/** Automatic Status Back: 4 bytes sent by the printer whenever an enabled status changes. */
export function decodeAsb(bytes: ArrayLike<number>): PrinterStatusBits {
  const b1 = bytes[0] ?? 0
  const b2 = bytes[1] ?? 0
  const b3 = bytes[2] ?? 0
  const offline = bit(b1, 3)
  const paperEnd = (b3 & 0x0c) !== 0
  const recoverableError = bit(b2, 2)
  const cutterError = bit(b2, 3)
  const unrecoverableError = bit(b2, 5)
  const autoRecoverableError = bit(b2, 6)
  return {
    offline,
    coverOpen: bit(b1, 5),
    feedButton: bit(b1, 6),
    paperEndStop: paperEnd && offline,
    errorOccurred: recoverableError || cutterError || unrecoverableError || autoRecoverableError,
    recoverableError,
    cutterError,
    unrecoverableError,
    autoRecoverableError,
    paperNearEnd: (b3 & 0x03) !== 0,
    paperEnd,
  }
}

export function encodeAsb(s: PrinterStatusBits): [number, number, number, number] {
  const set = (on: boolean, mask: number): number => (on ? mask : 0)
  return [
    0x10 | set(s.offline, 0x08) | set(s.coverOpen, 0x20) | set(s.feedButton, 0x40),
    set(s.recoverableError, 0x04) |
      set(s.cutterError, 0x08) |
      set(s.unrecoverableError, 0x20) |
      set(s.autoRecoverableError, 0x40),
    set(s.paperNearEnd, 0x03) | set(s.paperEnd, 0x0c),
    0x00,
  ]
}

/** GS r 1 reply: bits 0–1 near end, bits 2–3 roll end. */
export function decodeTransmitPaperStatus(byte: number): Pick<PrinterStatusBits, 'paperNearEnd' | 'paperEnd'> {
  return { paperNearEnd: (byte & 0x03) !== 0, paperEnd: (byte & 0x0c) !== 0 }
}

export function encodeTransmitPaperStatus(s: PrinterStatusBits): number {
  return (s.paperNearEnd ? 0x03 : 0) | (s.paperEnd ? 0x0c : 0)
}

/** XFS4IoT reading: what stops printing decides the device state; paper and cover always reported. */
export function toDeviceStatus(s: PrinterStatusBits): DeviceStatus {
  const paper = s.paperEnd ? 'out' : s.paperNearEnd ? 'low' : 'full'
  const cover = s.coverOpen ? 'open' : 'closed'
  const base = { paper, cover } as const
  if (s.unrecoverableError) return { state: 'hardwareError', ...base, errorCode: 'unrecoverableError' }
  if (s.cutterError) return { state: 'hardwareError', ...base, errorCode: 'cutterError' }
  if (s.recoverableError) return { state: 'hardwareError', ...base, errorCode: 'mechanicalError' }
  if (s.coverOpen) return { state: 'userError', ...base, errorCode: 'coverOpen' }
  if (s.paperEnd) return { state: 'userError', ...base, errorCode: 'paperOut' }
  if (s.autoRecoverableError) return { state: 'offline', ...base, errorCode: 'autoRecoverableError' }
  if (s.offline) return { state: 'offline', ...base }
  return { state: 'online', ...base }
}
