/**
 * SW3, the SAM's own status byte (§1.4), as typed values with Chinese and English messages.
 * SW1 and SW2 relay the card's APDU status and are kept raw.
 */
export type SamStatusName =
  | 'success'
  | 'findSuccess'
  | 'noContent'
  | 'checksumError'
  | 'lengthError'
  | 'commandError'
  | 'unauthorized'
  | 'unrecognisedError'
  | 'cardAuthenticateSamFailed'
  | 'samAuthenticateCardFailed'
  | 'verificationError'
  | 'unrecognisedCardType'
  | 'readCardFailed'
  | 'randomNumberFailed'
  | 'samSelfTestFailed'
  | 'samNotAuthorised'
  | 'findCardFailed'
  | 'selectCardFailed'
  | 'unknown'

export interface SamStatusInfo {
  sw3: number
  name: SamStatusName
  zh: string
  en: string
}

/** §1.4, in source order. */
export const SAM_STATUSES: readonly SamStatusInfo[] = [
  { sw3: 0x90, name: 'success', zh: '操作成功', en: 'success' },
  { sw3: 0x9f, name: 'findSuccess', zh: '寻找证/卡成功', en: 'card found' },
  { sw3: 0x91, name: 'noContent', zh: '证/卡中此项无内容', en: 'the card holds no content for this item' },
  { sw3: 0x10, name: 'checksumError', zh: '接收数据校验和错', en: 'the SAM received a bad checksum' },
  { sw3: 0x11, name: 'lengthError', zh: '接收数据长度错', en: 'the SAM received a bad length' },
  { sw3: 0x21, name: 'commandError', zh: '接收数据命令错', en: 'the SAM received an unknown command' },
  { sw3: 0x23, name: 'unauthorized', zh: '越权操作', en: 'unauthorized operation' },
  { sw3: 0x24, name: 'unrecognisedError', zh: '无法识别的错误', en: 'unrecognised error' },
  {
    sw3: 0x31,
    name: 'cardAuthenticateSamFailed',
    zh: '证/卡认证 SAM 失败',
    en: 'the card failed to authenticate the SAM',
  },
  {
    sw3: 0x32,
    name: 'samAuthenticateCardFailed',
    zh: 'SAM 认证证/卡失败',
    en: 'the SAM failed to authenticate the card',
  },
  { sw3: 0x33, name: 'verificationError', zh: '信息验证错误', en: 'information verification error' },
  { sw3: 0x40, name: 'unrecognisedCardType', zh: '无法识别的卡类型', en: 'unrecognised card type' },
  { sw3: 0x41, name: 'readCardFailed', zh: '读证/卡操作失败', en: 'reading the card failed' },
  { sw3: 0x47, name: 'randomNumberFailed', zh: '取随机数失败', en: 'getting a random number failed' },
  { sw3: 0x60, name: 'samSelfTestFailed', zh: 'SAM 自检失败', en: 'SAM self-test failed; it accepts no commands' },
  { sw3: 0x66, name: 'samNotAuthorised', zh: 'SAM 未经授权', en: 'SAM not authorised' },
  { sw3: 0x80, name: 'findCardFailed', zh: '寻找证/卡失败', en: 'no card found' },
  { sw3: 0x81, name: 'selectCardFailed', zh: '选取证/卡失败', en: 'selecting the card failed' },
]

const byCode = new Map(SAM_STATUSES.map((s) => [s.sw3, s]))
const byName = new Map(SAM_STATUSES.map((s) => [s.name, s]))

/** Looks up SW3; an unlisted byte is `unknown` with the byte in the message, never an exception. */
export function samStatus(sw3: number): SamStatusInfo {
  const known = byCode.get(sw3)
  if (known) return known
  const hex = sw3.toString(16).padStart(2, '0').toUpperCase()
  return { sw3, name: 'unknown', zh: `未知状态 ${hex}`, en: `unknown status ${hex}` }
}

/** The SW3 byte of a named status (the emulator's side of the table). */
export function samStatusCode(name: Exclude<SamStatusName, 'unknown'>): number {
  const info = byName.get(name)
  if (!info) throw new TypeError(`samStatusCode: unknown status name ${name}`)
  return info.sw3
}

/** SW3 values that mean the operation succeeded. */
export function isSamSuccess(sw3: number): boolean {
  return sw3 === 0x90 || sw3 === 0x9f
}

/** Statuses that say the SAM module itself is unusable (reset it, then report hardwareError). */
export function isSamFault(name: SamStatusName): boolean {
  return name === 'samSelfTestFailed' || name === 'samNotAuthorised' || name === 'unauthorized'
}
