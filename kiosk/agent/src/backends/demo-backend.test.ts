import { describe, expect, it } from 'vitest'
import { DemoBackend } from './demo-backend.ts'
import { DEMO_COMPANIES, DEMO_PIN } from './demo-data.ts'

const citizen = { idNumber: '11010119900307002X', name: '张三' }

describe('demo department backend', () => {
  it('gives every card a stable progress history', async () => {
    const backend = new DemoBackend()
    const a = await backend.applicationProgress(citizen)
    const b = await backend.applicationProgress(citizen)
    expect(a).toEqual(b)
    expect(a.ok && a.value.length).toBeGreaterThanOrEqual(2)
  })

  it('prints a licence only for its legal representative', async () => {
    const backend = new DemoBackend()
    const own = await backend.businessLicence(citizen, DEMO_COMPANIES[0]?.noticeCode ?? '')
    expect(own.ok && own.value.legalRepresentative).toBe('张三')
    expect(await backend.businessLicence(citizen, DEMO_COMPANIES[1]?.noticeCode ?? '')).toMatchObject({
      ok: false,
      code: 'mismatch',
    })
    expect(await backend.businessLicence(citizen, 'LZ00000000-0000')).toMatchObject({ ok: false, code: 'notFound' })
  })

  it('locks the social-security PIN after three wrong tries', async () => {
    const backend = new DemoBackend()
    for (let i = 0; i < 3; i++)
      expect(await backend.socialInsurance(citizen, '000000')).toMatchObject({ code: 'pinWrong' })
    expect(await backend.socialInsurance(citizen, DEMO_PIN)).toMatchObject({ ok: false, code: 'pinLocked' })
  })

  it('lists quarters and renders the chosen 完税证明 for the card holder', async () => {
    const backend = new DemoBackend()
    const list = await backend.taxCertificates(citizen)
    if (!list.ok) throw new Error(list.message)
    const first = list.value[0]
    const certificate = await backend.taxCertificate(citizen, first?.certificateId ?? '')
    if (!certificate.ok) throw new Error(certificate.message)
    expect(certificate.value.taxpayerName).toBe('张三')
    expect(certificate.value.payments.reduce((s, p) => s + p.amount, 0)).toBeCloseTo(first?.total ?? 0, 2)
  })
})
