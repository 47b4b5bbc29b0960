import type { GatewayRequest, GatewayResponse } from '@kiosk-fleet/protocol'
import { DEMO_COMPANIES, DEMO_PIN, demoApplications, hashOf } from './demo-data.ts'
import { monthsBetween } from './month-range.ts'

/** A demo operation written as code: where a department system has state or rules (PIN tries, notice codes). */
export type CodeOperation = (
  request: GatewayRequest,
  ctx: { state: Map<string, unknown>; today: string },
) => Promise<GatewayResponse>

const MAX_PIN_TRIES = 3
const ISSUED_ON = '2026-01-15'
const fail = (code: Extract<GatewayResponse, { ok: false }>['error']['code'], message: string): GatewayResponse => ({
  ok: false,
  error: { code, message },
})
const ok = (records: Record<string, unknown>[], document?: Record<string, unknown>): GatewayResponse => ({
  ok: true,
  records,
  ...(document ? { document } : {}),
})

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
function quarterPayments(idNumber: string, quarter: number) {
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

/** The social-security PIN check a real HRSS system does: 3 wrong tries lock the card. */
function checkPin(request: GatewayRequest, state: Map<string, unknown>): GatewayResponse | undefined {
  const idNumber = request.citizen?.idNumber ?? ''
  const key = `pin/${idNumber}`
  const failures = (state.get(key) as number | undefined) ?? 0
  if (failures >= MAX_PIN_TRIES) return fail('pinLocked', 'PIN locked after 3 wrong tries')
  if (request.params.pin !== DEMO_PIN) {
    state.set(key, failures + 1)
    const triesLeft = MAX_PIN_TRIES - failures - 1
    return { ok: false, error: { code: 'pinWrong', message: `wrong PIN, ${triesLeft} tries left`, triesLeft } }
  }
  state.delete(key)
  return undefined
}

const STATUS_ZH: Record<string, string> = {
  accepted: '已受理',
  inReview: '审核中',
  approved: '已审批',
  readyForPickup: '待领取',
  completed: '已办结',
  rejected: '未通过',
}

export const CODE_OPERATIONS: Record<string, Record<string, CodeOperation>> = {
  'public-security': {
    'application-progress': async (r) =>
      ok(demoApplications(r.citizen?.idNumber ?? '').map((a) => ({ ...a, statusText: STATUS_ZH[a.status] }))),
  },
  'market-regulation': {
    'business-licence': async (r) => {
      const noticeCode = String(r.params.noticeCode ?? '')
      const company = DEMO_COMPANIES.find((c) => c.noticeCode === noticeCode.trim().toUpperCase())
      if (!company) return fail('notFound', 'no licence notice with this code')
      const representative = company.legalRepresentative ?? r.citizen?.name ?? ''
      if (representative !== r.citizen?.name) return fail('mismatch', 'the card holder is not the legal representative')
      const licence = {
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
      }
      return ok([licence], licence)
    },
  },
  tax: {
    'tax-certificates': async (r) =>
      ok(
        [4, 3, 2].map((q) => {
          const payments = quarterPayments(r.citizen?.idNumber ?? '', q)
          return {
            certificateId: `2025Q${q}`,
            period: `2025年第${'一二三四'[q - 1]}季度`,
            taxTypes: ['个人所得税'],
            total: Math.round(payments.reduce((s, p) => s + p.amount, 0) * 100) / 100,
          }
        }),
      ),
    'tax-certificate': async (r) => {
      const idNumber = r.citizen?.idNumber ?? ''
      const q = /^2025Q([1-4])$/.exec(String(r.params.certificateId ?? ''))?.[1]
      if (!q) return fail('notFound', 'no such certificate')
      const document = {
        serial: `(2026)黔税证 ${String(hashOf(`${idNumber}${q}`) % 1_000_000).padStart(6, '0')}`,
        authority: '国家税务总局花溪县税务局',
        taxpayerName: r.citizen?.name ?? '',
        taxpayerId: idNumber,
        payments: quarterPayments(idNumber, Number(q)),
        issuedOn: ISSUED_ON,
        verificationCode: code('WS', `${idNumber}${q}`),
      }
      return ok([], document)
    },
  },
  hrss: {
    'social-insurance': async (r, { state }) => {
      const refused = checkPin(r, state)
      if (refused) return refused
      const idNumber = r.citizen?.idNumber ?? ''
      const h = hashOf(idNumber)
      const since = `20${String(10 + (h % 12)).padStart(2, '0')}-0${1 + (h % 9)}-01`
      const months = (2025 - Number(since.slice(0, 4))) * 12 + 12 - Number(since.slice(5, 7)) + 1
      const insurances = ['企业职工基本养老保险', '职工基本医疗保险', '失业保险', '工伤保险'].map((type) => ({
        type,
        since,
        status: '正常参保',
        monthsPaid: months,
      }))
      return ok(insurances, {
        serial: `SB-2026-${String(h % 1_000_000).padStart(6, '0')}`,
        authority: '花溪县人力资源和社会保障局',
        name: r.citizen?.name ?? '',
        idNumber,
        socialSecurityNumber: `52011${String(h % 10_000_000_000).padStart(10, '0')}`,
        employer: ['花溪县柳湾生态农业专业合作社', '青州市示例建材有限公司', '花溪县城乡居民（个人参保）'][h % 3] ?? '',
        insurances,
        period: { from: since.slice(0, 7), to: '2025-12' },
        issuedOn: ISSUED_ON,
        verificationCode: code('SB', idNumber),
      })
    },
    'ss-payments': async (r, { state }) => {
      const refused = checkPin(r, state)
      if (refused) return refused
      const idNumber = r.citizen?.idNumber ?? ''
      const base = 4000 + (hashOf(idNumber) % 30) * 100
      const records = monthsBetween(String(r.params.from ?? ''), String(r.params.to ?? '')).map((month) => ({
        month,
        type: '企业职工基本养老保险',
        base,
        personal: Math.round(base * 0.08 * 100) / 100,
        employer: Math.round(base * 0.16 * 100) / 100,
      }))
      return ok(records, {
        serial: `SBMX-2026-${String(hashOf(idNumber) % 1_000_000).padStart(6, '0')}`,
        name: r.citizen?.name ?? '',
        idNumber,
        from: String(r.params.from ?? ''),
        to: String(r.params.to ?? ''),
        issuedOn: ISSUED_ON,
        verificationCode: code('MX', idNumber),
      })
    },
  },
}
