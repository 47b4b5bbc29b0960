import type { DocumentLayout } from '../layout.ts'
import { verification, yuan } from './verification.ts'

/** 税收完税证明: taxes a taxpayer paid in a period. */
export interface TaxPaymentCertificate {
  kind: 'taxPayment'
  serial: string
  authority: string
  taxpayerName: string
  taxpayerId: string
  payments: { taxType: string; item: string; period: string; paidOn: string; amount: number }[]
  issuedOn: string
  verificationCode: string
}

export function taxPaymentLayout(d: TaxPaymentCertificate, verifyBaseUrl: string): DocumentLayout {
  const total = d.payments.reduce((s, p) => s + p.amount, 0)
  return {
    authority: d.authority,
    title: '中华人民共和国税收完税证明',
    serial: d.serial,
    fields: [
      ['纳税人名称', d.taxpayerName],
      ['纳税人识别号', d.taxpayerId],
      ['填发日期', d.issuedOn],
    ],
    table: {
      columns: [
        { title: '税种', width: 2 },
        { title: '品目名称', width: 3 },
        { title: '税款所属时期', width: 3 },
        { title: '入（退）库日期', width: 2 },
        { title: '实缴（退）金额（元）', width: 3, align: 'right' },
      ],
      rows: [
        ...d.payments.map((p) => [p.taxType, p.item, p.period, p.paidOn, yuan(p.amount)]),
        ['合计', '', '', '', yuan(total)],
      ],
    },
    paragraphs: ['妥善保管。本证明与原完税凭证内容一致，作为纳税人完税的证明。'],
    issuer: d.authority,
    issuedOn: d.issuedOn,
    verification: verification(verifyBaseUrl, d.verificationCode),
  }
}
