/** CRC-16/XMODEM (CCITT polynomial 0x1021, initial 0, no reflection): check value of "123456789" is 0x31C3. */
const table = (() => {
  const t = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let crc = i << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    t[i] = crc
  }
  return t
})()

export function crc16Xmodem(bytes: Uint8Array, crc = 0): number {
  let c = crc
  for (const b of bytes) c = ((c << 8) & 0xffff) ^ (table[((c >> 8) ^ b) & 0xff] ?? 0)
  return c
}
