import type { DocumentLayout } from './layout.ts'
import { type RenderPdfOptions, renderPdf } from './render-pdf.ts'
import { type ApplicationReceipt, applicationReceiptLayout } from './templates/application-receipt.ts'
import { type BusinessLicenceExtract, businessLicenceLayout } from './templates/business-licence.ts'
import { type SocialInsuranceCertificate, socialInsuranceLayout } from './templates/social-insurance.ts'
import { type TaxPaymentCertificate, taxPaymentLayout } from './templates/tax-payment.ts'

export type Certificate =
  | SocialInsuranceCertificate
  | TaxPaymentCertificate
  | BusinessLicenceExtract
  | ApplicationReceipt
export type CertificateKind = Certificate['kind']

export interface CertificateOptions extends RenderPdfOptions {
  /** Where the QR code points: `{verifyBaseUrl}/{verificationCode}`. */
  verifyBaseUrl: string
}

export function certificateLayout(certificate: Certificate, verifyBaseUrl: string): DocumentLayout {
  switch (certificate.kind) {
    case 'socialInsurance':
      return socialInsuranceLayout(certificate, verifyBaseUrl)
    case 'taxPayment':
      return taxPaymentLayout(certificate, verifyBaseUrl)
    case 'businessLicence':
      return businessLicenceLayout(certificate, verifyBaseUrl)
    case 'applicationReceipt':
      return applicationReceiptLayout(certificate, verifyBaseUrl)
  }
}

/** Renders a certificate to PDF bytes, fonts embedded. */
export function renderCertificate(certificate: Certificate, options: CertificateOptions): Promise<Uint8Array> {
  return renderPdf(certificateLayout(certificate, options.verifyBaseUrl), options)
}
