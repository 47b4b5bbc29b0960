import type { DeviceCounters, DeviceStatus } from './device-status.ts'
import type { DeviceFailure, Result } from './result.ts'

/**
 * Contact smart-card readers (PC/SC) and the China social-security card (社会保障卡) read through
 * them. Card identification data is public-ish; holder data (number, name) is personal and needs
 * the cardholder's PIN. Never log either, and never log the PIN.
 */

/** Why a card operation failed, beside the generic completion code. */
export type SmartCardFailureDetail =
  | 'noReader'
  | 'noMedia'
  | 'mediaRemoved'
  | 'invalidMedia'
  | 'pinInvalid'
  | 'pinBlocked'
  | 'securityStatusNotSatisfied'
  | 'readFailed'
  | 'serviceUnavailable'

/** A failed card operation; a wrong PIN (`pinInvalid`) says how many tries the card still allows. */
export interface SmartCardFailure extends DeviceFailure<SmartCardFailureDetail> {
  /** From the card's 63Cx answer to VERIFY: wrong PINs left before the card blocks it. */
  triesLeft?: number
}

export type SmartCardResult<T> = { ok: true; value: T } | { ok: false; error: SmartCardFailure }

/** SSSE issuer file EF05 (card identification), §6 of the device-protocols reference. */
export interface SocialSecurityCardInfo {
  /** 卡识别码; its first six digits are the issuing region code. */
  cardIdentifier: string
  regionCode: string
  /** 卡类别 as on the card (e.g. `1`). */
  cardType: string
  /** 规范版本, e.g. `3.00`. */
  specVersion: string
  /** 初始化机构编号. */
  issuerOrg: string
  /** YYYY-MM-DD. */
  issueDate: string
  /** YYYY-MM-DD. */
  expiryDate: string
  /** 社会保障卡卡号. */
  cardNumber: string
}

/** SSSE holder file EF06: personal, read only after PIN verification. */
export interface SocialSecurityHolder {
  /** 社会保障号码 (the citizen ID number). */
  socialSecurityNumber: string
  name: string
  /** GB/T 2261.1 code as on the card: `1` male, `2` female. */
  gender: string
  /** GB 3304 nation code, two digits. */
  nation: string
  /** YYYY-MM-DD. */
  birthDate: string
}

export interface SmartCardReaderEvents extends Record<string, unknown[]> {
  cardInserted: [atrHex: string]
  cardRemoved: []
  statusChanged: [next: DeviceStatus, previous: DeviceStatus]
}

export interface SocialSecurityCardReader {
  readonly description: string
  open(): Promise<void>
  close(): Promise<void>
  getStatus(): DeviceStatus
  getCounters(): DeviceCounters
  readonly cardPresent: boolean
  /** Selects SSSE and reads EF05; needs no PIN. */
  readCardInfo(): Promise<Result<SocialSecurityCardInfo, SmartCardFailureDetail>>
  /** Verifies the PIN, then reads EF06. A wrong PIN is `pinInvalid` with `triesLeft`. */
  readHolder(pin: string): Promise<SmartCardResult<SocialSecurityHolder>>
  on<K extends keyof SmartCardReaderEvents>(event: K, listener: (...args: SmartCardReaderEvents[K]) => void): () => void
}
