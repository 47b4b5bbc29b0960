import { createHash } from 'node:crypto'

/**
 * The firmware image our emulated printers' bootloaders take ("KFW1"). Real vendors' formats are
 * closed; this one carries what a bootloader needs to refuse a wrong or damaged image by itself:
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 4 | magic `KFW1` |
 * | 4 | 1 | model id length M (1–64) |
 * | 5 | M | model id, ASCII: the registry definition id, e.g. `xprinter-xp-t58h` |
 * | 5+M | 1 | version length V (1–32) |
 * | 6+M | V | version, ASCII, what GS I 0x41 reports afterwards |
 * | 6+M+V | 4 | payload length P, little-endian |
 * | 10+M+V | P | payload |
 * | 10+M+V+P | 32 | sha256 of every byte before it |
 *
 * The header is at most 106 bytes, so the first 1 KiB XMODEM block always carries it.
 */
export const FIRMWARE_MAGIC = 'KFW1'
export const MAX_FIRMWARE_PAYLOAD = 4 * 1024 * 1024
const ID = /^[\x21-\x7e]+$/

export interface FirmwareImageInfo {
  model: string
  version: string
  payload: Uint8Array
}

export type FirmwareImageProblem = 'badMagic' | 'truncated' | 'badHeader' | 'checksum' | 'tooLarge'

/** Builds an image; throws RangeError on a model id or version that does not fit the format. */
export function buildFirmwareImage(info: FirmwareImageInfo): Uint8Array {
  const model = Buffer.from(info.model, 'latin1')
  const version = Buffer.from(info.version, 'latin1')
  if (!ID.test(info.model) || model.length > 64) throw new RangeError(`firmware model id ${info.model}`)
  if (!ID.test(info.version) || version.length > 32) throw new RangeError(`firmware version ${info.version}`)
  if (info.payload.length > MAX_FIRMWARE_PAYLOAD) throw new RangeError('firmware payload too large')
  const body = Buffer.concat([
    Buffer.from(FIRMWARE_MAGIC, 'latin1'),
    Uint8Array.of(model.length),
    model,
    Uint8Array.of(version.length),
    version,
    (() => {
      const n = Buffer.alloc(4)
      n.writeUInt32LE(info.payload.length)
      return n
    })(),
    info.payload,
  ])
  return new Uint8Array(Buffer.concat([body, createHash('sha256').update(body).digest()]))
}

export type FirmwareHeader = { model: string; version: string; payloadLength: number; totalLength: number }

/** Reads the header from the start of an image (the first block is enough). */
export function readFirmwareHeader(
  bytes: Uint8Array,
): { ok: true; header: FirmwareHeader } | { ok: false; problem: FirmwareImageProblem } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (buf.length < 4) return { ok: false, problem: 'truncated' }
  if (buf.toString('latin1', 0, 4) !== FIRMWARE_MAGIC) return { ok: false, problem: 'badMagic' }
  const m = buf[4] ?? 0
  if (buf.length < 6 + m) return { ok: false, problem: 'truncated' }
  const v = buf[5 + m] ?? 0
  if (buf.length < 10 + m + v) return { ok: false, problem: 'truncated' }
  const model = buf.toString('latin1', 5, 5 + m)
  const version = buf.toString('latin1', 6 + m, 6 + m + v)
  if (m === 0 || m > 64 || v === 0 || v > 32 || !ID.test(model) || !ID.test(version)) {
    return { ok: false, problem: 'badHeader' }
  }
  const payloadLength = buf.readUInt32LE(6 + m + v)
  if (payloadLength > MAX_FIRMWARE_PAYLOAD) return { ok: false, problem: 'tooLarge' }
  return { ok: true, header: { model, version, payloadLength, totalLength: 10 + m + v + payloadLength + 32 } }
}

/**
 * Checks a whole image. Bytes after the image (XMODEM's SUB padding) are ignored, as a bootloader
 * that knows the length from the header does.
 */
export function parseFirmwareImage(
  bytes: Uint8Array,
): { ok: true; image: FirmwareImageInfo & { length: number } } | { ok: false; problem: FirmwareImageProblem } {
  const read = readFirmwareHeader(bytes)
  if (!read.ok) return read
  const { header } = read
  if (bytes.length < header.totalLength) return { ok: false, problem: 'truncated' }
  const bodyEnd = header.totalLength - 32
  const digest = createHash('sha256').update(bytes.subarray(0, bodyEnd)).digest()
  if (!digest.equals(bytes.subarray(bodyEnd, header.totalLength))) return { ok: false, problem: 'checksum' }
  const payload = Uint8Array.from(bytes.subarray(bodyEnd - header.payloadLength, bodyEnd))
  return {
    ok: true,
    image: { model: header.model, version: header.version, payload, length: header.totalLength },
  }
}
