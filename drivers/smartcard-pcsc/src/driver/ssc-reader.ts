import {
  AppError,
  type DeviceCounters,
  type DeviceStatus,
  DeviceStatusModel,
  fail,
  ok,
  RequestQueue,
  type SmartCardReaderEvents,
  type SocialSecurityCardInfo,
  type SocialSecurityCardReader,
  type SocialSecurityHolder,
  TypedEvents,
} from '@drivers/core'
import pino, { type Logger } from 'pino'
import {
  DEFAULT_SSSE_LAYOUT,
  decodeItem,
  isWellFormedPin,
  parseRecord,
  pcscFailureDetail,
  type RecordItem,
  readRecord,
  type SsseLayout,
  SW,
  selectFile,
  selectSsse,
  statusWordMeaning,
  swHex,
  toHex,
  verifyPin,
} from '../codec/index.ts'
import { ApduSession, type CardResult } from './apdu-session.ts'
import type { PcscConnector, PcscContext, PcscReader } from './pcsc.ts'
import { PcscErrorCodes } from './pcsc-errors.ts'
import { pcscLiteConnector } from './pcsclite-adapter.ts'
import { sscRedactPaths } from './redaction.ts'

export interface SocialSecurityCardServiceOptions {
  /** PC/SC stack; default pcscd through @pokusew/pcsclite (loaded on open). */
  connector?: PcscConnector
  /** Use the first reader whose name starts with this (e.g. `Virtual PCD`); default the first reader. */
  readerName?: string
  layout?: SsseLayout
  /** Per-APDU timeout. Default 5000 ms. */
  apduTimeoutMs?: number
  /** Re-establishing the context after pcscd went away. Defaults 1 s doubling to 30 s. */
  backoff?: { initialMs: number; maxMs: number }
  logger?: Logger
  description?: string
}

type Counter =
  | 'readsOk'
  | 'readsFailed'
  | 'pinFailures'
  | 'cardsInserted'
  | 'cardsRemoved'
  | 'apdus'
  | 'readerLost'
  | 'reconnects'

/**
 * The social-security card on a PC/SC reader, a SocialSecurityCardReader device service: follows
 * the reader and card presence (cardInserted/cardRemoved), reads EF05 without a PIN and EF06 after
 * VERIFY, one card session at a time, unpowering the card after each so no verification outlives
 * it. Never logs the PIN or any card field.
 */
export class SocialSecurityCardService implements SocialSecurityCardReader {
  readonly description: string
  readonly #connector: PcscConnector
  readonly #readerName: string | undefined
  readonly #layout: SsseLayout
  readonly #timeoutMs: number
  readonly #log: Logger
  readonly #queue = new RequestQueue()
  readonly #status = new DeviceStatusModel({ state: 'offline' })
  readonly #events = new TypedEvents<SmartCardReaderEvents>()
  readonly #counters: Record<Counter, number> = {
    readsOk: 0,
    readsFailed: 0,
    pinFailures: 0,
    cardsInserted: 0,
    cardsRemoved: 0,
    apdus: 0,
    readerLost: 0,
    reconnects: 0,
  }
  #context: PcscContext | undefined
  #contextOff: (() => void)[] = []
  #opened = false
  readonly #backoff: { initialMs: number; maxMs: number }
  #retryDelay: number
  #retryTimer: ReturnType<typeof setTimeout> | undefined
  #reader: PcscReader | undefined
  #readerOff: (() => void)[] = []
  #cardPresent = false

  constructor(options: SocialSecurityCardServiceOptions = {}) {
    const timeout = options.apduTimeoutMs ?? 5000
    if (!(timeout > 0)) throw new TypeError('SocialSecurityCardServiceOptions.apduTimeoutMs must be positive')
    const backoff = options.backoff ?? { initialMs: 1000, maxMs: 30_000 }
    if (!(backoff.initialMs > 0 && backoff.maxMs >= backoff.initialMs)) {
      throw new TypeError('SocialSecurityCardServiceOptions.backoff needs 0 < initialMs <= maxMs')
    }
    this.#backoff = backoff
    this.#retryDelay = backoff.initialMs
    this.#connector = options.connector ?? pcscLiteConnector()
    this.#readerName = options.readerName
    this.#layout = options.layout ?? DEFAULT_SSSE_LAYOUT
    this.#timeoutMs = timeout
    this.description = options.description ?? `pcsc:${options.readerName ?? 'first reader'}`
    this.#log = (options.logger ?? pino({ level: 'silent' })).child(
      { driver: 'smartcard-pcsc', device: this.description },
      { redact: sscRedactPaths },
    )
    this.#status.onChanged((next, previous) => this.#events.emit('statusChanged', next, previous))
  }

  get cardPresent(): boolean {
    return this.#cardPresent
  }

  get readerName(): string | undefined {
    return this.#reader?.name
  }

  /**
   * Establishes the PC/SC context (throws ERR_DRV_PCSC_UNAVAILABLE); readers and cards then arrive as
   * events. When pcscd goes away the status turns offline and the context is re-established with backoff.
   */
  async open(): Promise<void> {
    this.#opened = true
    await this.#establish()
    this.#log.info('opened')
  }

  async close(): Promise<void> {
    this.#opened = false
    clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
    this.#queue.close()
    await this.#reader?.disconnect()
    this.#dropContext()
    this.#status.set({ state: 'offline' })
    this.#log.info('closed')
  }

  async #establish(): Promise<void> {
    const context = await this.#connector()
    if (!this.#opened) {
      context.close()
      return
    }
    this.#context = context
    this.#status.set({ state: 'noDevice', errorCode: 'noReader' })
    this.#contextOff = [
      context.onError((err) => this.#contextLost(err)),
      context.onReader((reader) => this.#adopt(reader)),
    ]
  }

  #dropContext(): void {
    for (const off of [...this.#readerOff, ...this.#contextOff]) off()
    this.#readerOff = []
    this.#contextOff = []
    this.#reader = undefined
    const context = this.#context
    this.#context = undefined
    context?.close()
  }

  #contextLost(err: Error): void {
    const detail = pcscFailureDetail(err.message)
    this.#log.warn({ err, detail }, 'pc/sc context failed')
    if (this.#cardPresent) this.#onPresence(false, undefined)
    this.#dropContext()
    this.#status.set({
      state: 'offline',
      errorCode: detail === 'serviceUnavailable' ? 'serviceUnavailable' : 'pcscError',
    })
    this.#scheduleRetry()
  }

  #scheduleRetry(): void {
    if (!this.#opened || this.#retryTimer !== undefined) return
    const delay = this.#retryDelay
    this.#retryDelay = Math.min(delay * 2, this.#backoff.maxMs)
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      this.#counters.reconnects++
      this.#establish().catch((err: unknown) => {
        this.#log.warn({ err }, 'pc/sc context could not be re-established')
        this.#scheduleRetry()
      })
    }, delay)
  }

  getStatus(): DeviceStatus {
    return this.#status.status
  }

  getCounters(): DeviceCounters {
    return { ...this.#counters }
  }

  on<K extends keyof SmartCardReaderEvents>(
    event: K,
    listener: (...args: SmartCardReaderEvents[K]) => void,
  ): () => void {
    return this.#events.on(event, listener)
  }

  /** Resolves once a card is in the reader, or with a `noMedia` timeout. */
  waitForCard(timeoutMs: number): Promise<CardResult<void>> {
    if (this.#cardPresent) return Promise.resolve(ok(undefined))
    return new Promise((resolve) => {
      const off = this.on('cardInserted', () => {
        clearTimeout(timer)
        off()
        resolve(ok(undefined))
      })
      const timer = setTimeout(() => {
        off()
        resolve(fail('timeout', `no card inserted within ${timeoutMs} ms`, 'noMedia'))
      }, timeoutMs)
    })
  }

  readCardInfo(): Promise<CardResult<SocialSecurityCardInfo>> {
    return this.#session('cardInfo', async (session) => {
      const values = await this.#readFile(session, this.#layout.cardInfoFile, this.#layout.cardInfo)
      if (!values.ok) return values
      const v = values.value
      const info: SocialSecurityCardInfo = {
        cardIdentifier: v.cardIdentifier ?? '',
        regionCode: (v.cardIdentifier ?? '').slice(0, 6),
        cardType: v.cardType ?? '',
        specVersion: v.specVersion ?? '',
        issuerOrg: v.issuerOrg ?? '',
        issueDate: v.issueDate ?? '',
        expiryDate: v.expiryDate ?? '',
        cardNumber: v.cardNumber ?? '',
      }
      this.#log.info({ specVersion: info.specVersion, regionLen: info.regionCode.length }, 'card info read')
      return ok(info)
    })
  }

  readHolder(pin: string): Promise<CardResult<SocialSecurityHolder>> {
    if (!isWellFormedPin(pin)) {
      return Promise.resolve(fail('invalidData', 'the PIN must be 4 to 12 digits', 'pinInvalid'))
    }
    return this.#session('holder', async (session) => {
      const verified = await session.exchange(verifyPin(pin))
      if (!verified.ok) return verified
      const meaning = statusWordMeaning(verified.value.sw)
      if (meaning.kind === 'pinWrong') {
        this.#counters.pinFailures++
        this.#log.warn({ triesLeft: meaning.triesLeft }, 'pin rejected')
        const message = `wrong PIN (密码错误), ${meaning.triesLeft} tries left`
        return {
          ok: false,
          error: { code: 'commandError', detail: 'pinInvalid', message, triesLeft: meaning.triesLeft },
        }
      }
      if (meaning.kind === 'pinBlocked') {
        this.#counters.pinFailures++
        this.#log.warn('pin blocked')
        return fail('commandError', 'the PIN is blocked (密码已锁定): unblock it at the service window', 'pinBlocked')
      }
      if (meaning.kind !== 'ok')
        return fail('commandError', `VERIFY answered ${swHex(verified.value.sw)}`, 'readFailed')
      const values = await this.#readFile(session, this.#layout.holderFile, this.#layout.holder)
      if (!values.ok) return values
      const v = values.value
      this.#log.info({ fields: Object.keys(v).length }, 'holder read')
      return ok({
        socialSecurityNumber: v.socialSecurityNumber ?? '',
        name: v.name ?? '',
        gender: v.gender ?? '',
        nation: v.nation ?? '',
        birthDate: v.birthDate ?? '',
      })
    })
  }

  /** connect → select SSSE → work → unpower, one at a time; failures are counted and logged without data. */
  async #session<T>(what: string, work: (session: ApduSession) => Promise<CardResult<T>>): Promise<CardResult<T>> {
    if (!this.#opened) throw new AppError(PcscErrorCodes.notOpen, `${this.description} is not open`)
    const result = await this.#queue.run(async (): Promise<CardResult<T>> => {
      const reader = this.#reader
      if (!this.#context) return fail('deviceNotReady', 'pcscd is not reachable', 'serviceUnavailable')
      if (!reader) return fail('deviceNotReady', 'no PC/SC reader is connected', 'noReader')
      if (!this.#cardPresent && !(await reader.present())) {
        return fail('deviceNotReady', 'no card in the reader (请插入社保卡)', 'noMedia')
      }
      try {
        await reader.connect()
      } catch (err) {
        const detail = pcscFailureDetail((err as Error).message)
        return fail('deviceNotReady', (err as Error).message, detail === 'readFailed' ? 'invalidMedia' : detail)
      }
      try {
        const session = new ApduSession(reader, this.#log, this.#timeoutMs, () => this.#counters.apdus++)
        const selected = await session.exchange(selectSsse())
        if (!selected.ok) return selected
        if (selected.value.sw !== SW.ok) {
          return fail(
            'commandError',
            `not a social-security card (SELECT SSSE: ${swHex(selected.value.sw)})`,
            'invalidMedia',
          )
        }
        return await work(session)
      } finally {
        await reader.disconnect()
      }
    })
    if (result.ok) this.#counters.readsOk++
    else {
      this.#counters.readsFailed++
      this.#log.warn({ what, code: result.error.code, detail: result.error.detail }, 'card read failed')
    }
    return result
  }

  async #readFile<K extends string>(
    session: ApduSession,
    fileId: number,
    items: readonly RecordItem<K>[],
  ): Promise<CardResult<Partial<Record<K, string>>>> {
    const selected = await session.exchange(selectFile(fileId))
    if (!selected.ok) return selected
    if (selected.value.sw !== SW.ok) {
      return fail('commandError', `SELECT ${fileId.toString(16)} answered ${swHex(selected.value.sw)}`, 'invalidMedia')
    }
    const values: Partial<Record<K, string>> = {}
    for (const item of items) {
      const read = await session.exchange(readRecord(item.record, item.length + 2))
      if (!read.ok) return read
      const meaning = statusWordMeaning(read.value.sw)
      if (meaning.kind === 'securityNotSatisfied') {
        return fail('commandError', 'the card wants a PIN first', 'securityStatusNotSatisfied')
      }
      if (meaning.kind !== 'ok') {
        return fail('commandError', `READ RECORD ${item.record} answered ${swHex(read.value.sw)}`, 'readFailed')
      }
      const value = parseRecord(item.record, read.value.data)
      if (!value) return fail('invalidData', `record ${item.record} is not a TLV of tag ${item.record}`, 'readFailed')
      values[item.key] = decodeItem(value, item.encoding)
    }
    return ok(values)
  }

  #adopt(reader: PcscReader): void {
    if (this.#reader) return
    if (this.#readerName !== undefined && !reader.name.startsWith(this.#readerName)) return
    this.#reader = reader
    this.#log.info({ reader: reader.name }, 'reader found')
    this.#retryDelay = this.#backoff.initialMs
    this.#status.set({ state: 'online', media: 'notPresent' })
    this.#readerOff = [
      reader.onStatus((present, atr) => this.#onPresence(present, atr)),
      reader.onEnd(() => this.#onReaderLost()),
    ]
  }

  #onPresence(present: boolean, atr: Uint8Array | undefined): void {
    if (present === this.#cardPresent) return
    this.#cardPresent = present
    this.#status.update({ media: present ? 'present' : 'notPresent' })
    if (present) {
      this.#counters.cardsInserted++
      this.#log.info({ atrLen: atr?.length ?? 0 }, 'card inserted')
      this.#events.emit('cardInserted', atr ? toHex(atr) : '')
    } else {
      this.#counters.cardsRemoved++
      this.#log.info('card removed')
      this.#events.emit('cardRemoved')
    }
  }

  #onReaderLost(): void {
    for (const off of this.#readerOff) off()
    this.#readerOff = []
    this.#reader = undefined
    this.#counters.readerLost++
    if (this.#cardPresent) this.#onPresence(false, undefined)
    this.#log.warn('reader lost')
    this.#status.set({ state: 'noDevice', errorCode: 'noReader' })
  }
}
