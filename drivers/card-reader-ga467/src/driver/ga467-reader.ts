import {
  type CardReader,
  type CardReaderEvents,
  type CardReaderFailureDetail,
  type DeviceCounters,
  type DeviceStatus,
  DeviceStatusModel,
  fail,
  type IdentityCard,
  ok,
  type ReadCardOptions,
  RequestQueue,
  type Result,
  type Transport,
  TypedEvents,
} from '@drivers/core'
import pino, { type Logger } from 'pino'
import {
  decodeCardText,
  decodeUcs2,
  formatSamId,
  isSamFault,
  type SamCommand,
  type SamId,
  type SamResponse,
  type SamStatusInfo,
  samStatus,
} from '../codec/index.ts'
import { failureForStatus, type ReaderFailure } from './failures.ts'
import { type LastError, ReaderHealth } from './health.ts'
import type { WltPhotoDecoder } from './photo-decoder.ts'
import { cardRedactPaths } from './redaction.ts'
import { SamLink } from './sam-link.ts'

export interface Ga467ReaderOptions {
  /** Creates the transport; called on open and again on every reconnect. */
  openTransport: () => Transport
  /** Line speed, for per-command timeouts and messages. Default 115200. */
  baudRate?: number
  /** Card polling interval; the protocol wants more than 300 ms (§1.3). Default 500. */
  pollIntervalMs?: number
  /**
   * Polling interval while no card is on the reader, when only a Find (15-byte reply) goes out.
   * Shorter than `pollIntervalMs` makes a placed card show within the read's wire time plus this;
   * §1.3's 300 ms is the vendors' advice for full find-select-read cycles. Default `pollIntervalMs`.
   */
  idlePollIntervalMs?: number
  /** Base per-command timeout, on top of the reply's wire time. Default 500. */
  commandTimeoutMs?: number
  /** Reconnect and SAM-recovery backoff. Defaults 250 ms doubling to 10 s. */
  backoff?: { initialMs: number; maxMs: number }
  photoDecoder?: WltPhotoDecoder
  logger?: Logger
  description?: string
}

type ReadResult = Result<IdentityCard, CardReaderFailureDetail>

/** Reply sizes on the wire (§1.4, §1.5), for timeouts. */
const REPLY_BYTES: Record<SamCommand['type'], number> = {
  resetSam: 11,
  samStatus: 11,
  readSamId: 27,
  findCard: 15,
  selectCard: 19,
  readCard: 1295,
  readCardWithFingerprint: 2321,
  readAdditionalAddress: 81,
  setBaudRate: 11,
  setRfFrameSize: 11,
}

/**
 * GA 467 SAM ID-card reader as a CardReader device service: one request in flight (RequestQueue),
 * per-command timeouts, find → select → read, polling with inserted/read/removed events,
 * SAM-fault recovery and reconnect with backoff. Never logs card contents.
 */
export class Ga467Reader implements CardReader {
  readonly description: string
  readonly #options: Required<
    Pick<Ga467ReaderOptions, 'baudRate' | 'pollIntervalMs' | 'idlePollIntervalMs' | 'commandTimeoutMs' | 'backoff'>
  >
  readonly #openTransport: () => Transport
  readonly #photoDecoder: WltPhotoDecoder | undefined
  readonly #log: Logger
  readonly #queue = new RequestQueue()
  readonly #status = new DeviceStatusModel({ state: 'offline' })
  readonly #events = new TypedEvents<CardReaderEvents>()
  readonly #health = new ReaderHealth()
  #link: SamLink | undefined
  #closed = false
  #polling = false
  #cardPresent = false
  #pollTimer: ReturnType<typeof setTimeout> | undefined
  #retryTimer: ReturnType<typeof setTimeout> | undefined
  #retryDelay: number

  constructor(options: Ga467ReaderOptions) {
    const { baudRate = 115200, pollIntervalMs = 500, commandTimeoutMs = 500 } = options
    const backoff = options.backoff ?? { initialMs: 250, maxMs: 10_000 }
    if (typeof options.openTransport !== 'function') throw new TypeError('Ga467ReaderOptions.openTransport is required')
    if (!(baudRate > 0)) throw new TypeError(`Ga467ReaderOptions.baudRate must be positive, got ${baudRate}`)
    if (!(pollIntervalMs > 0)) throw new TypeError(`Ga467ReaderOptions.pollIntervalMs must be positive`)
    if (!(commandTimeoutMs > 0)) throw new TypeError(`Ga467ReaderOptions.commandTimeoutMs must be positive`)
    if (!(backoff.initialMs > 0 && backoff.maxMs >= backoff.initialMs)) {
      throw new TypeError('Ga467ReaderOptions.backoff needs 0 < initialMs <= maxMs')
    }
    const idlePollIntervalMs = options.idlePollIntervalMs ?? pollIntervalMs
    if (!(idlePollIntervalMs > 0)) throw new TypeError('Ga467ReaderOptions.idlePollIntervalMs must be positive')
    this.#options = { baudRate, pollIntervalMs, idlePollIntervalMs, commandTimeoutMs, backoff }
    this.#retryDelay = backoff.initialMs
    this.#openTransport = options.openTransport
    this.#photoDecoder = options.photoDecoder
    this.description = options.description ?? 'ga467'
    const root = options.logger ?? pino({ level: 'silent' })
    this.#log = root.child({ driver: 'ga467', device: this.description }, { redact: cardRedactPaths })
    this.#status.onChanged((next, previous) => this.#events.emit('statusChanged', next, previous))
  }

  /** Opens the transport (throws ERR_DRV_TRANSPORT_OPEN_FAILED) and asks the SAM for its status. */
  async open(): Promise<void> {
    this.#closed = false
    const link = this.#newLink()
    await link.open()
    this.#link = link
    this.#log.info('opened')
    const healthy = await this.#queue.run(() => this.#probe())
    if (!healthy) this.#scheduleRetry()
  }

  async close(): Promise<void> {
    this.#closed = true
    this.stopPolling()
    clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
    const link = this.#link
    this.#link = undefined
    await link?.close()
    this.#status.set({ state: 'offline' })
    this.#log.info('closed')
  }

  getStatus(): DeviceStatus {
    return this.#status.status
  }

  getCounters(): DeviceCounters {
    return this.#health.snapshot()
  }

  get lastError(): LastError | undefined {
    return this.#health.lastError
  }

  on<K extends keyof CardReaderEvents>(event: K, listener: (...args: CardReaderEvents[K]) => void): () => void {
    return this.#events.on(event, listener)
  }

  resetSam(): Promise<Result<SamStatusInfo>> {
    return this.#queue.run(async () => this.#statusOf(await this.#command({ type: 'resetSam' })))
  }

  getSamStatus(): Promise<Result<SamStatusInfo>> {
    return this.#queue.run(async () => this.#statusOf(await this.#command({ type: 'samStatus' })))
  }

  readSamId(): Promise<Result<SamId>> {
    return this.#queue.run(async () => {
      const r = await this.#command({ type: 'readSamId' })
      if (!r.ok) return r
      if (r.value.type !== 'samId') return failureForStatus(r.value.sw3)
      return ok(formatSamId(r.value.samId))
    })
  }

  async readCard(options: ReadCardOptions = {}): Promise<ReadResult> {
    const waitMs = options.waitMs ?? 0
    const deadline = Date.now() + waitMs
    for (;;) {
      if (options.signal?.aborted) return fail('canceled', 'read canceled')
      const result = await this.#queue.run(() => this.#readOnce(options))
      if (result.ok || result.error.detail !== 'noMedia') return result
      const left = deadline - Date.now()
      if (left <= 0) {
        if (waitMs === 0) return result
        return fail('timeout', `no card presented within ${waitMs} ms`, 'noMedia')
      }
      await this.#sleep(Math.min(this.#options.pollIntervalMs, left))
    }
  }

  /** Decodes a card's WLT photo with the vendor decoder, when one was plugged in. */
  async decodePhoto(card: IdentityCard): Promise<Result<{ mimeType: string; bytes: Uint8Array }>> {
    if (!this.#photoDecoder) return fail('unsupported', 'no WLT photo decoder is installed (vendors ship one)')
    try {
      return ok(await this.#photoDecoder.decode(card.photoWlt))
    } catch (err) {
      this.#log.warn({ err, decoder: this.#photoDecoder.name }, 'photo decode failed')
      return fail('invalidData', `photo decoder ${this.#photoDecoder.name} failed`)
    }
  }

  startPolling(): void {
    if (this.#polling) return
    this.#polling = true
    this.#schedulePoll()
  }

  stopPolling(): void {
    this.#polling = false
    clearTimeout(this.#pollTimer)
    this.#pollTimer = undefined
  }

  #schedulePoll(): void {
    if (!this.#polling || this.#closed) return
    this.#pollTimer = setTimeout(
      () => {
        this.#queue
          .run(() => this.#pollOnce())
          .catch((err: unknown) => this.#log.error({ err }, 'poll failed'))
          .finally(() => this.#schedulePoll())
      },
      this.#cardPresent ? this.#options.pollIntervalMs : this.#options.idlePollIntervalMs,
    )
  }

  async #pollOnce(): Promise<void> {
    const state = this.getStatus().state
    if (state !== 'online' || !this.#link) return
    if (!this.#cardPresent) {
      await this.#readOnce({}, true)
      return
    }
    const find = await this.#command({ type: 'findCard' })
    if (!find.ok) return
    if (find.value.type === 'findCard') {
      // A fresh presentation: the previous card left between two polls.
      this.#setCardPresent(false)
      await this.#readOnce({}, true, true)
      return
    }
    const select = await this.#command({ type: 'selectCard' })
    if (select.ok && select.value.type !== 'selectCard') this.#setCardPresent(false)
  }

  /** find → select → read (+ additional address). `polled` emits cardInserted once the card is found. */
  async #readOnce(options: ReadCardOptions, polled = false, alreadyFound = false): Promise<ReadResult> {
    if (!alreadyFound) {
      const find = await this.#command({ type: 'findCard' })
      if (!find.ok) return this.#readFailed(find)
      if (find.value.type !== 'findCard') {
        const failure = failureForStatus(find.value.sw3)
        return failure.error.detail === 'noMedia' ? failure : this.#readFailed(failure)
      }
    }
    if (polled) this.#events.emit('cardInserted')
    const select = await this.#command({ type: 'selectCard' })
    if (!select.ok) return this.#readFailed(select)
    if (select.value.type !== 'selectCard') return this.#readFailed(failureForStatus(select.value.sw3))
    const readType = options.fingerprints ? 'readCardWithFingerprint' : 'readCard'
    const read = await this.#command({ type: readType })
    if (!read.ok) return this.#readFailed(await this.#explainReadFailure(read))
    if (read.value.type !== 'cardData') return this.#readFailed(failureForStatus(read.value.sw3))
    const card: IdentityCard = { ...decodeCardText(read.value.text), photoWlt: read.value.photo }
    if (read.value.fingerprints !== undefined) card.fingerprints = read.value.fingerprints
    if (options.additionalAddress) {
      const extra = await this.#command({ type: 'readAdditionalAddress' })
      if (extra.ok && extra.value.type === 'additionalAddress')
        card.additionalAddress = decodeUcs2(extra.value.data, 0, 70)
    }
    this.#health.add('readsOk')
    this.#setCardPresent(true)
    this.#log.info(
      { cardType: card.cardType, photoLen: card.photoWlt.length, fpLen: card.fingerprints?.length ?? 0 },
      'card read',
    )
    if (card.idNumberCheck === 'invalid') this.#log.warn({ cardType: card.cardType }, 'id number check digit is wrong')
    this.#events.emit('cardRead', card)
    return ok(card)
  }

  /**
   * A read that timed out may be a card pulled away mid-read: ask the SAM whether a card is there.
   * Or the reader itself was unplugged, and its port's loss surfaced only after the read's timer
   * (a loaded host): then it is the unplug that the caller hears about, as when the loss comes first.
   */
  async #explainReadFailure(failure: { ok: false; error: ReaderFailure['error'] }): Promise<ReaderFailure> {
    if (failure.error.code !== 'timeout') return failure
    const gone = () =>
      fail(
        'deviceNotReady',
        `the reader was disconnected during the card read (${failure.error.message})`,
        'noResponse',
      )
    if (!this.#link?.isOpen) return gone()
    const find = await this.#command({ type: 'findCard' })
    if (!find.ok && (this.#link === undefined || find.error.code === 'deviceNotReady')) return gone()
    const select = find.ok && find.value.type !== 'findCard' ? await this.#command({ type: 'selectCard' }) : undefined
    if (select?.ok && select.value.type !== 'selectCard') {
      return fail('commandError', 'the card was removed during the read (读卡中证件被移走)', 'mediaRemoved')
    }
    return fail('timeout', `${failure.error.message} during the card read`, 'readFailed')
  }

  #readFailed(failure: { ok: false; error: ReaderFailure['error'] }): ReaderFailure {
    this.#health.add('readsFailed')
    this.#health.recordError(failure.error.detail ?? failure.error.code, failure.error.message)
    this.#log.warn({ code: failure.error.code, detail: failure.error.detail }, 'card read failed')
    return failure
  }

  #setCardPresent(present: boolean): void {
    if (this.#cardPresent && !present) this.#events.emit('cardRemoved')
    this.#cardPresent = present
  }

  #statusOf(r: Result<SamResponse>): Result<SamStatusInfo> {
    if (!r.ok) return r
    return ok(samStatus(r.value.sw3))
  }

  /** One exchange with timeout; SAM faults flip the status and start recovery; a bad reply is retried once. */
  async #command(command: SamCommand, retry = true): Promise<Result<SamResponse, CardReaderFailureDetail>> {
    const link = this.#link
    if (!link) return fail('deviceNotReady', 'reader is not connected', 'noResponse')
    const wireMs = ((REPLY_BYTES[command.type] + 10) * 10_000) / this.#options.baudRate
    const result = await link.exchange(command, Math.ceil(this.#options.commandTimeoutMs + wireMs * 1.5))
    if (!result.ok) {
      const retriable = result.error.code === 'invalidData' && command.type !== 'readCard'
      if (retry && retriable && command.type !== 'readCardWithFingerprint') return this.#command(command, false)
      if (result.error.code === 'timeout') return fail('timeout', result.error.message, 'noResponse')
      return fail(result.error.code, result.error.message)
    }
    const info = samStatus(result.value.sw3)
    if (isSamFault(info.name)) {
      this.#health.add('samErrors')
      this.#health.recordError('samFault', info.en)
      this.#log.warn({ sw3: info.sw3, status: info.name }, 'SAM fault')
      if (this.#status.update({ state: 'hardwareError', errorCode: 'samFault' })) this.#scheduleRetry()
    } else if (retry && (info.name === 'checksumError' || info.name === 'lengthError')) {
      return this.#command(command, false)
    }
    return result
  }

  /** SAM status probe after open, reconnect and recovery. */
  async #probe(): Promise<boolean> {
    const r = await this.#command({ type: 'resetSam' })
    if (!r.ok) {
      this.#health.recordError('noResponse', r.error.message)
      this.#status.set({ state: 'offline', errorCode: 'noResponse' })
      return false
    }
    if (isSamFault(samStatus(r.value.sw3).name)) return false
    this.#status.set({ state: 'online' })
    this.#retryDelay = this.#options.backoff.initialMs
    return true
  }

  #newLink(): SamLink {
    return new SamLink(this.#openTransport(), this.#log, this.#health, (cause) => this.#onDisconnect(cause))
  }

  #onDisconnect(cause: Error): void {
    this.#health.add('disconnects')
    this.#health.recordError('noDevice', cause.message)
    this.#log.warn({ err: cause }, 'reader disconnected')
    this.#link = undefined
    this.#setCardPresent(false)
    this.#status.set({ state: 'noDevice', errorCode: 'disconnected' })
    this.#scheduleRetry()
  }

  /** One timer for both recoveries: reopen a vanished reader, or reset a faulted SAM. Backoff doubles. */
  #scheduleRetry(): void {
    if (this.#closed || this.#retryTimer !== undefined) return
    const delay = this.#retryDelay
    this.#retryDelay = Math.min(delay * 2, this.#options.backoff.maxMs)
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      this.#retry().catch((err: unknown) => this.#log.error({ err }, 'recovery failed'))
    }, delay)
  }

  async #retry(): Promise<void> {
    if (this.#closed) return
    if (!this.#link) {
      const link = this.#newLink()
      try {
        await link.open()
      } catch (err) {
        this.#log.debug({ err }, 'reconnect failed')
        this.#scheduleRetry()
        return
      }
      this.#link = link
      this.#health.add('reconnects')
      this.#log.info('reconnected')
    }
    const healthy = await this.#queue.run(() => this.#probe())
    if (!healthy) this.#scheduleRetry()
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms))
  }
}
