import { genderZh } from '@drivers/card-reader-ga467'
import type { IdentityCard } from '@drivers/core'

const TYPE_LABEL: Record<IdentityCard['cardType'], string> = {
  resident: '居民身份证 resident ID card',
  foreignPermanent: '外国人永久居留身份证 foreign permanent resident ID card',
  hkMacauTaiwan: '港澳台居民居住证 HK/Macau/Taiwan residence permit',
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')

/** The JSON a technician or vendor tool consumes; `emulate idcard --card` reads the same shape. */
export function cardToJson(card: IdentityCard): Record<string, unknown> {
  const json: Record<string, unknown> = {
    cardType: card.cardType,
    name: card.name,
    gender: card.gender,
    nation: card.nation,
    birthDate: card.birthDate,
    address: card.address,
    idNumber: card.idNumber,
    idNumberCheck: card.idNumberCheck,
    issuingAuthority: card.issuingAuthority,
    validFrom: card.validFrom,
    validTo: card.validTo,
  }
  for (const key of ['chineseName', 'cardVersion', 'passNumber', 'additionalAddress'] as const) {
    if (card[key] !== undefined) json[key] = card[key]
  }
  json['photoWlt'] = base64(card.photoWlt)
  if (card.fingerprints) json['fingerprints'] = base64(card.fingerprints)
  return json
}

/** Two-column text for a technician's terminal. */
export function cardToText(card: IdentityCard): string {
  const rows: [string, string][] = [
    ['card type', TYPE_LABEL[card.cardType]],
    ['name 姓名', card.name],
  ]
  if (card.chineseName) rows.push(['Chinese name 中文姓名', card.chineseName])
  rows.push(['gender 性别', `${genderZh(card.gender)} ${card.gender}`])
  if (card.cardType === 'resident') rows.push(['nation 民族', card.nation])
  if (card.cardType === 'foreignPermanent') rows.push(['nationality 国籍', card.nation])
  rows.push(['birth 出生', card.birthDate])
  if (card.address) rows.push(['address 住址', card.address])
  if (card.additionalAddress) rows.push(['additional address 追加住址', card.additionalAddress])
  const check = card.idNumberCheck === 'invalid' ? '  ← check digit WRONG 校验位错误' : ''
  rows.push(['ID number 号码', `${card.idNumber}${check}`])
  if (card.passNumber) rows.push(['pass number 通行证号码', card.passNumber])
  rows.push(['authority 签发机关', card.issuingAuthority])
  rows.push(['valid 有效期', `${card.validFrom} – ${card.validTo === 'long-term' ? '长期 long-term' : card.validTo}`])
  rows.push(['photo 照片', `${card.photoWlt.length} bytes WLT (needs the vendor decoder)`])
  if (card.fingerprints) rows.push(['fingerprints 指纹', `${card.fingerprints.length / 512} finger(s)`])
  const width = Math.max(...rows.map(([k]) => displayWidth(k)))
  return rows.map(([k, v]) => `${k}${' '.repeat(width - displayWidth(k))}  ${v}`).join('\n')
}

/** Terminal columns: CJK ideographs and full-width forms take two. */
function displayWidth(text: string): number {
  let width = 0
  for (const ch of text) width += /[\u3000-\u9fff\uff00-\uffef]/u.test(ch) ? 2 : 1
  return width
}
