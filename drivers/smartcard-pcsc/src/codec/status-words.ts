/** ISO/IEC 7816-4 status words the social-security card answers (§6). */
export const SW = {
  ok: 0x9000,
  wrongLength: 0x6700,
  securityNotSatisfied: 0x6982,
  pinBlocked: 0x6983,
  conditionsNotSatisfied: 0x6985,
  fileNotFound: 0x6a82,
  recordNotFound: 0x6a83,
  wrongP1P2: 0x6b00,
  insNotSupported: 0x6d00,
  claNotSupported: 0x6e00,
} as const

export type StatusWordMeaning =
  | { kind: 'ok' }
  /** 61xx: xx more bytes wait for GET RESPONSE. */
  | { kind: 'moreData'; available: number }
  /** 6Cxx: resend with Le = xx. */
  | { kind: 'wrongLe'; exact: number }
  /** 63Cx: verification failed, x tries left. */
  | { kind: 'pinWrong'; triesLeft: number }
  | { kind: 'pinBlocked' }
  | { kind: 'securityNotSatisfied' }
  | { kind: 'notFound' }
  | { kind: 'error'; sw: number }

export function statusWordMeaning(sw: number): StatusWordMeaning {
  if (sw === SW.ok) return { kind: 'ok' }
  const sw1 = sw >> 8
  const sw2 = sw & 0xff
  if (sw1 === 0x61) return { kind: 'moreData', available: sw2 === 0 ? 256 : sw2 }
  if (sw1 === 0x6c) return { kind: 'wrongLe', exact: sw2 === 0 ? 256 : sw2 }
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) return { kind: 'pinWrong', triesLeft: sw2 & 0x0f }
  if (sw === SW.pinBlocked) return { kind: 'pinBlocked' }
  if (sw === SW.securityNotSatisfied) return { kind: 'securityNotSatisfied' }
  if (sw === SW.fileNotFound || sw === SW.recordNotFound) return { kind: 'notFound' }
  return { kind: 'error', sw }
}

export function swHex(sw: number): string {
  return sw.toString(16).padStart(4, '0')
}
