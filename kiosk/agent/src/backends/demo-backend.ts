import type { BusinessLicenceExtract, SocialInsuranceCertificate, TaxPaymentCertificate } from '@kiosk/documents'
import { DEMO_COMPANIES, DEMO_PIN, demoApplications, hashOf } from './demo-data.ts'
import type {
  ApplicationProgress,
  BackendResult,
  CitizenIdentity,
  DepartmentBackend,
  TaxCertificateSummary,
} from './department-backend.ts'

const ok = <T>(value: T): BackendResult<T> => ({ ok: true, value })
const MAX_PIN_TRIES = 3
const ISSUED_ON = '2026-01-15'

function code(prefix: string, seed: string): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  let h = hashOf(seed)
  let out = prefix
  for (let i = 0; i < 8; i++) {
    out += alphabet[h % alphabet.length]
    h = Math.imul(h ^ (h >>> 7), 2654435761) >>> 0
  }
  return out
}

/** Monthly wage tax over a quarter: the periods a 完税证明 lists. */
function quarterPayments(idNumber: string, quarter: number): TaxPaymentCertificate['payments'] {
  const base = 300 + (hashOf(idNumber) % 900) + quarter * 23.7
  const months = [1, 2, 3].map((m) => (quarter - 1) * 3 + m)
  return months.map((month, i) => {
    const mm = String(month).padStart(2, '0')
    const last = new Date(Date.UTC(2025, month, 0)).getUTCDate()
    return {
      taxType: '个人所得税',
      item: '工资薪金所得',
      period: `2025-${mm}-01至2025-${mm}-${last}`,
      paidOn: `2025-${String(Math.min(month + 1, 12)).padStart(2, '0')}-1${i}`,
      amount: Math.round((base + i * 17.3) * 100) / 100,
    }
  })
}

/**
 * Department systems answered from synthetic data (demo-data.ts), for `npm start` and the tests.
 * Stateful only where a real system is: wrong social-security PINs are counted and lock the card.
 */
export class DemoBackend implements DepartmentBackend {
  readonly kind = 'demo'
  readonly #pinFailures = new Map<string, number>()

  async applicationProgress(citizen: CitizenIdentity): Promise<BackendResult<ApplicationProgress[]>> {
    return ok(demoApplications(citizen.idNumber))
  }

  async businessLicence(citizen: CitizenIdentity, noticeCode: string): Promise<BackendResult<BusinessLicenceExtract>> {
    const company = DEMO_COMPANIES.find((c) => c.noticeCode === noticeCode.trim().toUpperCase())
    if (!company) return { ok: false, code: 'notFound', message: 'no licence notice with this code' }
    const representative = company.legalRepresentative ?? citizen.name
    if (representative !== citizen.name) {
      return { ok: false, code: 'mismatch', message: 'the card holder is not the legal representative' }
    }
    return ok({
      kind: 'businessLicence',
      serial: `YZ-2026-${String(hashOf(company.creditCode) % 1_000_000).padStart(6, '0')}`,
      authority: '花溪县市场监督管理局',
      creditCode: company.creditCode,
      companyName: company.companyName,
      companyType: company.companyType,
      legalRepresentative: representative,
      registeredCapital: company.registeredCapital,
      establishedOn: company.establishedOn,
      businessTerm: `${company.establishedOn} 至 长期`,
      address: company.address,
      businessScope: company.businessScope,
      issuedOn: ISSUED_ON,
      verificationCode: code('YZ', company.creditCode),
    })
  }

  async taxCertificates(citizen: CitizenIdentity): Promise<BackendResult<TaxCertificateSummary[]>> {
    return ok(
      [4, 3, 2].map((q) => {
        const payments = quarterPayments(citizen.idNumber, q)
        return {
          certificateId: `2025Q${q}`,
          period: `2025年第${'一二三四'[q - 1]}季度`,
          taxTypes: ['个人所得税'],
          total: Math.round(payments.reduce((s, p) => s + p.amount, 0) * 100) / 100,
        }
      }),
    )
  }

  async taxCertificate(citizen: CitizenIdentity, certificateId: string): Promise<BackendResult<TaxPaymentCertificate>> {
    const q = /^2025Q([1-4])$/.exec(certificateId)?.[1]
    if (!q) return { ok: false, code: 'notFound', message: 'no such certificate' }
    return ok({
      kind: 'taxPayment',
      serial: `(2026)黔税证 ${String(hashOf(`${citizen.idNumber}${q}`) % 1_000_000).padStart(6, '0')}`,
      authority: '国家税务总局花溪县税务局',
      taxpayerName: citizen.name,
      taxpayerId: citizen.idNumber,
      payments: quarterPayments(citizen.idNumber, Number(q)),
      issuedOn: ISSUED_ON,
      verificationCode: code('WS', `${citizen.idNumber}${q}`),
    })
  }

  async socialInsurance(citizen: CitizenIdentity, pin: string): Promise<BackendResult<SocialInsuranceCertificate>> {
    const failures = this.#pinFailures.get(citizen.idNumber) ?? 0
    if (failures >= MAX_PIN_TRIES) return { ok: false, code: 'pinLocked', message: 'PIN locked after 3 wrong tries' }
    if (pin !== DEMO_PIN) {
      this.#pinFailures.set(citizen.idNumber, failures + 1)
      const triesLeft = MAX_PIN_TRIES - failures - 1
      return { ok: false, code: 'pinWrong', message: `wrong PIN, ${triesLeft} tries left`, triesLeft }
    }
    this.#pinFailures.delete(citizen.idNumber)
    const h = hashOf(citizen.idNumber)
    const since = `20${String(10 + (h % 12)).padStart(2, '0')}-0${1 + (h % 9)}-01`
    const months = (2025 - Number(since.slice(0, 4))) * 12 + 12 - Number(since.slice(5, 7)) + 1
    return ok({
      kind: 'socialInsurance',
      serial: `SB-2026-${String(h % 1_000_000).padStart(6, '0')}`,
      authority: '花溪县人力资源和社会保障局',
      name: citizen.name,
      idNumber: citizen.idNumber,
      socialSecurityNumber: `52011${String(h % 10_000_000_000).padStart(10, '0')}`,
      employer: ['花溪县柳湾生态农业专业合作社', '青州市示例建材有限公司', '花溪县城乡居民（个人参保）'][
        h % 3
      ] as string,
      insurances: ['企业职工基本养老保险', '职工基本医疗保险', '失业保险', '工伤保险'].map((type) => ({
        type,
        since,
        status: '正常参保',
        monthsPaid: months,
      })),
      period: { from: since.slice(0, 7), to: '2025-12' },
      issuedOn: ISSUED_ON,
      verificationCode: code('SB', citizen.idNumber),
    })
  }
}
