import type { DocumentLayout } from '../layout.ts'
import { verification } from './verification.ts'

/** 业务受理回执: proof that an application was accepted, with what was handed in and what comes next. */
export interface ApplicationReceipt {
  kind: 'applicationReceipt'
  serial: string
  authority: string
  applicationNumber: string
  matter: string
  applicant: string
  contactPhone: string
  acceptedAt: string
  promisedBy: string
  materials: { name: string; copies: number; form: string }[]
  notes: string[]
  issuedOn: string
  verificationCode: string
}

export function applicationReceiptLayout(d: ApplicationReceipt, verifyBaseUrl: string): DocumentLayout {
  return {
    authority: d.authority,
    title: '业务受理回执',
    serial: d.serial,
    fields: [
      ['受理编号', d.applicationNumber],
      ['办理事项', d.matter],
      ['申请人', d.applicant],
      ['联系电话', d.contactPhone],
      ['受理时间', d.acceptedAt],
      ['承诺办结', d.promisedBy],
    ],
    table: {
      columns: [
        { title: '序号', width: 1 },
        { title: '材料名称', width: 5, align: 'left' },
        { title: '份数', width: 1 },
        { title: '形式', width: 2 },
      ],
      rows: d.materials.map((m, i) => [String(i + 1), m.name, String(m.copies), m.form]),
    },
    paragraphs: d.notes,
    issuer: d.authority,
    issuedOn: d.issuedOn,
    verification: verification(verifyBaseUrl, d.verificationCode),
  }
}
