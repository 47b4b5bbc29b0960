/** RMS level of a 16-bit PCM WAV's samples, 0..1 (0 = silence). Pure; for tests and checks. */
export function wavRms(wav: Uint8Array): number {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength)
  if (wav.length < 12 || view.getUint32(0, false) !== 0x52494646 || view.getUint32(8, false) !== 0x57415645) {
    throw new TypeError('not a RIFF/WAVE file')
  }
  let offset = 12
  let bits = 0
  while (offset + 8 <= wav.length) {
    const id = view.getUint32(offset, false)
    const size = view.getUint32(offset + 4, true)
    const body = offset + 8
    if (id === 0x666d7420) bits = view.getUint16(body + 14, true)
    if (id === 0x64617461) {
      if (bits !== 16) throw new TypeError(`only 16-bit PCM is measured, got ${bits}`)
      const end = Math.min(wav.length, body + (size === 0xffffffff || size === 0 ? wav.length : size))
      let sum = 0
      let n = 0
      for (let i = body; i + 1 < end; i += 2) {
        const s = view.getInt16(i, true) / 32768
        sum += s * s
        n++
      }
      return n === 0 ? 0 : Math.sqrt(sum / n)
    }
    offset = body + size + (size % 2)
  }
  throw new TypeError('WAV has no data chunk')
}
