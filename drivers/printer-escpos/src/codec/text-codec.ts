import iconv from 'iconv-lite'

/**
 * Text ↔ printer bytes. iconv-lite is pure JavaScript (no I/O), so the codec stays pure; callers may
 * inject another TextCodec (tests, printers with other code pages).
 */
export interface TextCodec {
  encode(text: string): Uint8Array
  decode(bytes: Uint8Array): string
}

export function gbCodec(encoding: 'gb18030' | 'gbk' = 'gb18030'): TextCodec {
  return {
    encode: (text) => Uint8Array.from(iconv.encode(text, encoding)),
    decode: (bytes) => iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoding),
  }
}

/** True when the text needs the Chinese (two-byte) mode. */
export function needsChineseMode(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7e) return true
  return false
}

/** Print columns of a string in font A: ASCII is one column, CJK and other wide characters two. */
export function textColumns(text: string): number {
  let columns = 0
  for (const ch of text) columns += (ch.codePointAt(0) ?? 0) > 0x7f ? 2 : 1
  return columns
}
