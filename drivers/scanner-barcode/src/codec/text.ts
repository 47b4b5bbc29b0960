/** Scan bytes → text in the scanner's encoding; undefined when the bytes are not valid in it. */
export type ScanEncoding = 'utf-8' | 'gbk' | 'gb18030'

export function decodeScanText(bytes: Uint8Array, encoding: ScanEncoding = 'utf-8'): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes)
  } catch (err) {
    if (err instanceof TypeError) return undefined
    throw err
  }
}

export function hexToBytes(hex: string, field: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '')
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new TypeError(`${field} must be hex bytes, got ${JSON.stringify(hex)}`)
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => Number.parseInt(h, 16))
}
