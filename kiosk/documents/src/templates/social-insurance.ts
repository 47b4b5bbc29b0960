import type { DocumentLayout } from '../layout.ts'
import { verification } from './verification.ts'

/** 参保证明: which insurances a person is enrolled in and how many months were paid. */
export interface SocialInsuranceCertificate {
  kind: 'socialInsurance'
  serial: string
  authority: string
  name: string
  idNumber: string
  socialSecurityNumber: string
  employer: string
  insurances: { type: string; since: string; status: string; monthsPaid: number }[]
  period: { from: string; to: string }
  issuedOn: string
  verificationCode: string
}

export function socialInsuranceLayout(d: SocialInsuranceCertificate, verifyBaseUrl: string): DocumentLayout {
  return {
    authority: d.authority,
    title: '社会保险参保缴费证明',
    serial: d.serial,
    fields: [
      ['姓　　名', d.name],
      ['身份证号', d.idNumber],
      ['社保卡号', d.socialSecurityNumber],
      ['参保单位', d.employer],
      ['证明期间', `${d.period.from} 至 ${d.period.to}`],
    ],
    table: {
      columns: [
        { title: '险种', width: 3 },
        { title: '参保日期', width: 2 },
        { title: '参保状态', width: 2 },
        { title: '累计缴费月数', width: 2 },
      ],
      rows: d.insurances.map((i) => [i.type, i.since, i.status, String(i.monthsPaid)]),
    },
    paragraphs: [
      `兹证明 ${d.name} 在上述期间参加社会保险并按规定缴费，情况属实。`,
      '本证明仅证明参保缴费情况，不作其他用途。',
    ],
    issuer: d.authority,
    issuedOn: d.issuedOn,
    verification: verification(verifyBaseUrl, d.verificationCode),
  }
}
