/** One application the citizen has lodged (办理进度). */
export interface ApplicationProgress {
  applicationNumber: string
  /** What was applied for, e.g. 居民身份证换领. */
  matter: string
  matterEn: string
  status: 'accepted' | 'inReview' | 'approved' | 'readyForPickup' | 'completed' | 'rejected'
  acceptedAt: string
  updatedAt: string
  /** Where to collect the result, when there is one. */
  pickup?: string
}

/**
 * Synthetic department records for the demo and the tests. Every person, company and number is
 * made up; records are picked by a hash of the ID number so every card gets a stable, plausible
 * history without a table of real people.
 */

/** FNV-1a, for picking synthetic records deterministically. */
export function hashOf(text: string): number {
  let x = 2166136261
  for (const ch of text) x = Math.imul(x ^ (ch.codePointAt(0) ?? 0), 16777619) >>> 0
  return x
}

const MATTERS: [string, string][] = [
  ['居民身份证换领', 'Resident ID card renewal'],
  ['居民身份证补领', 'Resident ID card replacement'],
  ['户口迁移（迁入）', 'Household registration transfer (in)'],
  ['出入境证件（普通护照）首次申领', 'First ordinary passport'],
  ['机动车驾驶证期满换证', 'Driving licence renewal'],
  ['居住证签注', 'Residence permit endorsement'],
]

const STATUSES: ApplicationProgress['status'][] = ['accepted', 'inReview', 'approved', 'readyForPickup', 'completed']

const PICKUP = '花溪县公安局政务服务中心 2号窗口（工作日 9:00–17:00）'

/** Two or three applications, dated in the past weeks, the newest first. */
export function demoApplications(
  idNumber: string,
  today = new Date('2026-01-15T10:00:00+08:00'),
): ApplicationProgress[] {
  const h = hashOf(idNumber)
  const count = 2 + (h % 2)
  const out: ApplicationProgress[] = []
  for (let i = 0; i < count; i++) {
    const [matter, matterEn] = MATTERS[(h >>> (i * 3)) % MATTERS.length] as [string, string]
    const status = STATUSES[(h >>> (i * 5 + 2)) % STATUSES.length] as ApplicationProgress['status']
    const accepted = new Date(today.getTime() - (4 + i * 9 + ((h >>> i) % 5)) * 86_400_000)
    const updated = new Date(accepted.getTime() + (1 + ((h >>> (i + 7)) % 3)) * 86_400_000)
    const day = (d: Date) => d.toISOString().slice(0, 10)
    out.push({
      applicationNumber: `HX${day(accepted).replaceAll('-', '')}${String((h >>> (i * 4)) % 10_000).padStart(4, '0')}`,
      matter,
      matterEn,
      status,
      acceptedAt: day(accepted),
      updatedAt: day(updated),
      ...(status === 'readyForPickup' ? { pickup: PICKUP } : {}),
    })
  }
  return out
}

/** Licence notices (领照通知书): the code printed as a QR code and as text, and the company it names. */
export interface DemoCompany {
  noticeCode: string
  creditCode: string
  companyName: string
  companyType: string
  registeredCapital: string
  establishedOn: string
  address: string
  businessScope: string
  /** `undefined`: the citizen who presents the notice is the legal representative (demo). */
  legalRepresentative?: string
}

export const DEMO_COMPANIES: DemoCompany[] = [
  {
    noticeCode: 'LZ20260115-0789',
    creditCode: '91520111MA6H7K8L9P',
    companyName: '花溪县柳湾生态农业专业合作社',
    companyType: '农民专业合作社',
    registeredCapital: '人民币伍拾万元整',
    establishedOn: '2026年01月12日',
    address: '青州市花溪县花溪镇柳湾村三组18号',
    businessScope:
      '一般项目：蔬菜种植；水果种植；农产品的生产、销售、加工、运输、贮藏及其他相关服务；休闲观光活动。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）',
  },
  {
    noticeCode: 'LZ20260114-0412',
    creditCode: '92520111MA6H2C3D4E',
    companyName: '花溪镇便民早餐店',
    companyType: '个体工商户',
    registeredCapital: '—',
    establishedOn: '2026年01月09日',
    address: '青州市花溪县花溪镇新街42号',
    businessScope: '许可项目：小餐饮。（依法须经批准的项目，经相关部门批准后方可开展经营活动）',
    legalRepresentative: '王测试',
  },
]

/** The social-security PIN every demo card has (社保卡服务密码). */
export const DEMO_PIN = '123456'
