import { isAppError } from '@drivers/core'
import { describe, expect, it } from 'vitest'
import { certificateLayout, renderCertificate } from './certificate.ts'
import { renderPdf } from './render-pdf.ts'
import { sampleCertificates } from './samples.ts'
import { verification, yuan } from './templates/verification.ts'

const base = 'https://verify.example.gov.cn/v'
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1')

describe('certificate templates', () => {
  it('lays out a tax certificate with a total row and the verification link', () => {
    const layout = certificateLayout(sampleCertificates.taxPayment, base)
    expect(layout.title).toBe('中华人民共和国税收完税证明')
    expect(layout.table?.rows.at(-1)).toEqual(['合计', '', '', '', '2,971.20'])
    expect(layout.verification).toEqual({ code: 'WS4H8N2P6R', url: `${base}/WS4H8N2P6R` })
  })

  it('checks the unified social credit code and the verification code', () => {
    const licence = { ...sampleCertificates.businessLicence, creditCode: '123' }
    expect(() => certificateLayout(licence, base)).toThrow(/creditCode/)
    expect(() => verification(base, 'bad code')).toThrow(/verificationCode/)
    expect(yuan(1234.5)).toBe('1,234.50')
  })

  it.each(Object.keys(sampleCertificates) as (keyof typeof sampleCertificates)[])(
    'renders %s to a PDF with the CJK font embedded',
    async (kind) => {
      const pdf = await renderCertificate(sampleCertificates[kind], { verifyBaseUrl: base })
      const text = latin1(pdf)
      expect(text.startsWith('%PDF-1.')).toBe(true)
      expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSerifCJKsc-Regular/)
      expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansCJKsc-Bold/)
      expect(text).toContain('/FontFile3')
      expect(text).toContain('/ToUnicode')
    },
  )

  it('is reproducible for the same data', async () => {
    const a = await renderCertificate(sampleCertificates.applicationReceipt, { verifyBaseUrl: base })
    const b = await renderCertificate(sampleCertificates.applicationReceipt, { verifyBaseUrl: base })
    expect(a.length).toBe(b.length)
  })

  it('fails loudly, with a stable code, when the font package is missing', () => {
    const layout = certificateLayout(sampleCertificates.socialInsurance, base)
    const missing = { path: '/nonexistent/NotoSerifCJK-Regular.ttc', postscriptName: 'x' }
    let caught: unknown
    try {
      void renderPdf(layout, { fonts: { body: missing, title: missing } })
    } catch (err) {
      caught = err
    }
    expect(isAppError(caught, 'ERR_KIOSK_DOCUMENT_FONT_MISSING')).toBe(true)
    expect(String((caught as Error).message)).toContain('fonts-noto-cjk')
  })
})
