/** §1.2 CHK_SUM: XOR of Len1, Len2 and the body (everything after the preamble, before the checksum). */
export function xorChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0
  for (let i = start; i < end; i++) sum ^= bytes[i]!
  return sum
}
