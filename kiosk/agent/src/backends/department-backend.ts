import type { BusinessLicenceExtract, SocialInsuranceCertificate, TaxPaymentCertificate } from '@kiosk/documents'

/**
 * Who the citizen is, as the department systems need it. Personal data: it travels only from the
 * session to the department backend, never into logs, health or MQTT.
 */
export interface CitizenIdentity {
  idNumber: string
  name: string
}

/** One application the citizen has lodged with public security (办理进度). */
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

/** A tax-payment certificate the citizen can print (完税证明), summarised for choosing. */
export interface TaxCertificateSummary {
  certificateId: string
  period: string
  taxTypes: string[]
  total: number
}

/** Expected outcomes of a department call; anything else is a thrown bug. */
export type BackendFailureCode = 'notFound' | 'mismatch' | 'pinWrong' | 'pinLocked' | 'unavailable' | 'timeout'

export type BackendResult<T> =
  | { ok: true; value: T }
  /** `triesLeft` with `pinWrong`: wrong PINs the department still accepts before `pinLocked`. */
  | { ok: false; code: BackendFailureCode; message: string; triesLeft?: number }

/**
 * The department systems a kiosk reaches (public security, market regulation, tax, human
 * resources & social security). The demo backend answers from synthetic data; the HTTP backend
 * calls a department's gateway.
 */
export interface DepartmentBackend {
  readonly kind: string
  applicationProgress(citizen: CitizenIdentity): Promise<BackendResult<ApplicationProgress[]>>
  /** The licence named by the code on the licence notice (领照通知书); the citizen must be its legal representative. */
  businessLicence(citizen: CitizenIdentity, noticeCode: string): Promise<BackendResult<BusinessLicenceExtract>>
  taxCertificates(citizen: CitizenIdentity): Promise<BackendResult<TaxCertificateSummary[]>>
  taxCertificate(citizen: CitizenIdentity, certificateId: string): Promise<BackendResult<TaxPaymentCertificate>>
  /** Checks the social-security PIN and returns the insurance record as a certificate. */
  socialInsurance(citizen: CitizenIdentity, pin: string): Promise<BackendResult<SocialInsuranceCertificate>>
}
