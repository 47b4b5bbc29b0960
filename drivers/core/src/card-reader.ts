import type { DeviceCounters, DeviceStatus } from './device-status.ts'
import type { Result } from './result.ts'

/**
 * The identity-card reader device class (XFS4IoT CardReader vocabulary, borrowed not copied).
 * Protocol drivers (GA 467 SAM readers today) implement `CardReader`; the kiosk agent only sees this.
 */

/** Which document the SAM read: resident ID card, foreign permanent resident card, HK/Macau/Taiwan permit. */
export type IdCardType = 'resident' | 'foreignPermanent' | 'hkMacauTaiwan'

/** GB/T 2261.1 gender codes 0, 1, 2, 9. */
export type Gender = 'unknown' | 'male' | 'female' | 'unspecified'

/** Result of the MOD 11-2 check on an 18-character number; `notApplicable` for the 15-char 2017 foreign number. */
export type IdNumberCheck = 'valid' | 'invalid' | 'notApplicable'

/** A date as `YYYY-MM-DD`, or the raw text when the card holds something else. */
export type CardDate = string

/**
 * The decoded card. Personal data: keep it in memory for one session, never log it.
 * `name` is the Chinese name on resident cards and permits, the English name on foreign cards.
 */
export interface IdentityCard {
  cardType: IdCardType
  name: string
  gender: Gender
  /** Resident: nation (民族) name such as 汉; foreign: nationality (GB/T 2659 alpha-3); permits: ''. */
  nation: string
  birthDate: CardDate
  /** '' on foreign permanent resident cards, which carry no address. */
  address: string
  /** Citizen ID number, permit ID number, or the foreign permanent-residence number. */
  idNumber: string
  idNumberCheck: IdNumberCheck
  /** Issuing authority; on foreign cards the accepting-authority code. */
  issuingAuthority: string
  validFrom: CardDate
  validTo: CardDate | 'long-term'
  /** 1024 bytes of WLT-compressed photo, opaque (vendors ship the decoder). */
  photoWlt: Uint8Array
  /** Raw fingerprint templates (512 bytes per finger) when read with the fingerprint command. */
  fingerprints?: Uint8Array
  /** 追加住址 (30 03), when read and present. */
  additionalAddress?: string
  /** Foreign cards: the Chinese name. */
  chineseName?: string
  /** Foreign cards: card version; permits: issue count (签发次数). */
  cardVersion?: string
  /** HK/Macau/Taiwan permits: the home-return / Taiwan compatriot pass number (通行证号码). */
  passNumber?: string
}

/** Reasons a read failed, beside the generic completion code. */
export type CardReaderFailureDetail =
  | 'noMedia'
  | 'mediaRemoved'
  | 'invalidMedia'
  | 'samError'
  | 'authenticationFailed'
  | 'readFailed'
  | 'noResponse'

export interface ReadCardOptions {
  /** How long to wait for a card to be presented (polling find). 0 = only check once. */
  waitMs?: number
  /** Also read fingerprints (30 10 instead of 30 01). */
  fingerprints?: boolean
  /** Also read the additional address (30 03). */
  additionalAddress?: boolean
  signal?: AbortSignal
}

export interface CardReaderEvents extends Record<string, unknown[]> {
  cardInserted: []
  cardRead: [card: IdentityCard]
  cardRemoved: []
  statusChanged: [next: DeviceStatus, previous: DeviceStatus]
}

export interface CardReader {
  readonly description: string
  open(): Promise<void>
  close(): Promise<void>
  getStatus(): DeviceStatus
  getCounters(): DeviceCounters
  /** Find → select → read one card. Expected failures (no card, SAM error, timeout) are results. */
  readCard(options?: ReadCardOptions): Promise<Result<IdentityCard, CardReaderFailureDetail>>
  /** Poll for cards at an interval, emitting cardInserted / cardRead / cardRemoved. */
  startPolling(): void
  stopPolling(): void
  on<K extends keyof CardReaderEvents>(event: K, listener: (...args: CardReaderEvents[K]) => void): () => void
}
