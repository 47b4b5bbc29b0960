import type { DocumentLayout } from '../layout.ts'
import { verification } from './verification.ts'

/** 营业执照信息摘要: the registered facts of a business, as on its licence. */
export interface BusinessLicenceExtract {
  kind: 'businessLicence'
  serial: string
  authority: string
  creditCode: string
  companyName: string
  companyType: string
  legalRepresentative: string
  registeredCapital: string
  establishedOn: string
  businessTerm: string
  address: string
  businessScope: string
  issuedOn: string
  verificationCode: string
}

export function businessLicenceLayout(d: BusinessLicenceExtract, verifyBaseUrl: string): DocumentLayout {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(d.creditCode)) {
    throw new TypeError(`creditCode must be an 18-character unified social credit code, got ${d.creditCode}`)
  }
  return {
    authority: d.authority,
    title: '营业执照信息摘要',
    serial: d.serial,
    fields: [
      ['统一社会信用代码', d.creditCode],
      ['名　　称', d.companyName],
      ['类　　型', d.companyType],
      ['法定代表人', d.legalRepresentative],
      ['注册资本', d.registeredCapital],
      ['成立日期', d.establishedOn],
      ['营业期限', d.businessTerm],
      ['住　　所', d.address],
      ['经营范围', d.businessScope],
    ],
    paragraphs: [
      '本摘要依据市场主体登记信息打印，与营业执照记载事项一致；市场主体应当于每年1月1日至6月30日报送上一年度年度报告。',
    ],
    issuer: d.authority,
    issuedOn: d.issuedOn,
    verification: verification(verifyBaseUrl, d.verificationCode),
  }
}
