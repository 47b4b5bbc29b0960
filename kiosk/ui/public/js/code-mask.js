/** The code a mask and typed digits make: `LZ########-####` + `202601150789` → `LZ20260115-0789`. */
export function codeFromDigits(mask, digits) {
  let i = 0
  let out = ''
  for (const c of mask) out += c === '#' ? (digits[i++] ?? '') : c
  return out
}
