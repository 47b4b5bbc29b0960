/** §1.6 Text fields are UCS-2 little-endian (GB 13000), right-padded with U+0020. */

/** Decodes `bytes[start, end)`; trailing spaces and NULs are padding and are trimmed. */
export function decodeUcs2(bytes: Uint8Array, start: number, end: number): string {
  let out = ''
  for (let i = start; i + 1 < end && i + 1 < bytes.length; i += 2) {
    out += String.fromCharCode(bytes[i]! | (bytes[i + 1]! << 8))
  }
  return trimPadding(out)
}

/** Strips U+0020 and U+0000 from both ends (a regex would need a control character). */
function trimPadding(s: string): string {
  const isPad = (c: number) => c === 0x20 || c === 0
  let start = 0
  let end = s.length
  while (start < end && isPad(s.charCodeAt(start))) start++
  while (end > start && isPad(s.charCodeAt(end - 1))) end--
  return s.slice(start, end)
}

/**
 * Writes `text` into `target[start, start + width)` as UCS-2LE, padding with U+0020.
 * Throws a TypeError naming `field` when the text does not fit or leaves the BMP.
 */
export function writeUcs2(target: Uint8Array, start: number, width: number, text: string, field: string): void {
  if (text.length * 2 > width) {
    throw new TypeError(`${field} must be at most ${width / 2} characters, got ${text.length}`)
  }
  for (let i = 0; i < width / 2; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0x20
    if (code >= 0xd800 && code <= 0xdfff) throw new TypeError(`${field} has a character outside UCS-2`)
    target[start + i * 2] = code & 0xff
    target[start + i * 2 + 1] = code >> 8
  }
}
