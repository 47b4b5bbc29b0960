import {
  type DeviceStatus,
  DeviceStatusModel,
  FrameWaiter,
  type PrinterEvents,
  RequestQueue,
  type Result,
  type Transport,
  TypedEvents,
} from '@drivers/core'
import type { Logger } from 'pino'
import {
  decodeAsb,
  decodeTransmitPaperStatus,
  healthyBits,
  type PrinterStatusBits,
  StatusDecoder,
  type StatusFrame,
  toDeviceStatus,
} from '../codec/index.ts'
import { REPLY_USER_SETTING, type ReplyBlock } from '../codec/user-settings.ts'
import { REPLY_ID_REFUSED } from '../firmware/bootloader.ts'
import { PrinterHealth } from './health.ts'
import { blockingDetail, type JobOutcome } from './job-outcome.ts'

export interface PrinterConnectionOptions {
  transport: Transport
  logger: Logger
  /** Real-time status poll period while open, ms; 0 = none. */
  pollIntervalMs: number
  rollLengthMm: number
  /** Reconnect after the device vanished: first delay and cap, ms; false = never. */
  reconnect: { initialDelayMs: number; maxDelayMs: number } | false
}

/** What the status concern does when the link comes up (after open or a reconnect) and on each poll. */
export interface ConnectionLifecycle {
  initialise(): Promise<void>
  poll(): Promise<unknown>
}

/**
 * The one link to an ESC/POS printer that print, status, settings and firmware share: owns the
 * Transport, the reply decoder, the request queues, the status model and the reconnect with
 * backoff. Bytes from the printer become status bits, real-time replies, job confirmations or
 * reply blocks; while a firmware transfer runs they go to the XMODEM sender instead.
 */
export class PrinterConnection {
  readonly transport: Transport
  readonly log: Logger
  readonly health: PrinterHealth
  readonly status = new DeviceStatusModel({ state: 'offline' })
  readonly events = new TypedEvents<PrinterEvents>()
  /** Print jobs and update sessions, one at a time. */
  readonly jobs = new RequestQueue()
  readonly realtime = new FrameWaiter<StatusFrame>()
  readonly completion = new FrameWaiter<StatusFrame>()
  readonly replies = new FrameWaiter<ReplyBlock>()
  /** True while an update session has the printer to itself: no status queries, no jobs. */
  updating = false
  /** Jobs queued or printing (an update is refused while there are any). */
  pendingJobs = 0
  /** The bootloader's last refusal reason (`37 7F <reason> 00`), which may arrive with its CAN CAN. */
  lastRefusal: string | undefined
  /** Settles the job in flight early: the printer stopped mid-job or the link closed. */
  activeJob: ((outcome: JobOutcome) => void) | undefined
  readonly #options: PrinterConnectionOptions
  readonly #decoder = new StatusDecoder()
  #statusLock = new RequestQueue()
  #bits: PrinterStatusBits = healthyBits()
  #open = false
  #lifecycle: ConnectionLifecycle = { initialise: async () => undefined, poll: async () => undefined }
  /** Set while the bootloader link is up: device bytes go to the XMODEM sender. */
  #byteRoute: ((byte: number) => void) | undefined
  /** Set while entering the bootloader: its ready block switches the route for the rest of the chunk. */
  #routeAfterBlock: ((block: ReplyBlock) => ((byte: number) => void) | undefined) | undefined
  readonly #goneListeners = new Set<() => void>()
  #pollTimer: ReturnType<typeof setTimeout> | undefined
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined
  #unsubscribe: (() => void)[] = []

  constructor(options: PrinterConnectionOptions) {
    this.#options = options
    this.transport = options.transport
    this.log = options.logger
    this.health = new PrinterHealth(options.rollLengthMm)
    this.status.onChanged((next, previous) => this.#onStatusChanged(next, previous))
  }

  /** Set once by the printer facade: the status concern initialises and polls the link. */
  setLifecycle(lifecycle: ConnectionLifecycle): void {
    this.#lifecycle = lifecycle
  }

  /** True between open() and close(), also while the device is unplugged and being reconnected. */
  get opened(): boolean {
    return this.#open
  }

  /** Whether bytes can be written now. */
  get linkUp(): boolean {
    return this.#open && this.transport.isOpen
  }

  async open(): Promise<void> {
    if (this.#open) return
    this.#open = true
    this.#unsubscribe = [
      this.transport.onData((chunk) => this.#onData(chunk)),
      this.transport.onDisconnect((cause) => this.#onDisconnect(cause)),
    ]
    try {
      if (!this.transport.isOpen) await this.transport.open()
    } catch (err) {
      await this.close()
      throw err
    }
    this.log.info('open')
    await this.#lifecycle.initialise()
    this.#schedulePoll()
  }

  async close(): Promise<void> {
    this.#open = false
    clearTimeout(this.#pollTimer)
    clearTimeout(this.#reconnectTimer)
    for (const off of this.#unsubscribe) off()
    this.#unsubscribe = []
    this.realtime.cancelAll('printer closed')
    this.completion.cancelAll('printer closed')
    this.replies.cancelAll('printer closed')
    for (const gone of [...this.#goneListeners]) gone()
    this.activeJob?.({ ok: false, detail: 'jobAborted', message: 'printer closed during the job' })
    await this.transport.close()
    this.status.set({ state: 'offline' })
  }

  /** Writes bytes; false (and a warning) when the write failed. */
  async send(bytes: Uint8Array): Promise<boolean> {
    try {
      await this.transport.write(bytes)
      this.health.bytesSent += bytes.length
      return true
    } catch (err) {
      this.log.warn({ err, bytes: bytes.length }, 'write failed')
      return false
    }
  }

  /** Writes a request and waits for the reply block it expects (waiter registered before the write). */
  async ask(bytes: Uint8Array, matches: (block: ReplyBlock) => boolean, timeoutMs: number) {
    const reply = this.replies.expect(matches, timeoutMs)
    if (!(await this.send(bytes))) this.replies.cancelAll('write failed')
    return reply
  }

  /** Status queries one at a time: DLE EOT replies carry no tag. A disconnect starts a fresh lock. */
  withStatusLock<T>(task: () => Promise<T>): Promise<T> {
    return this.#statusLock.run(task)
  }

  get bits(): PrinterStatusBits {
    return this.#bits
  }

  applyBits(bits: PrinterStatusBits): void {
    this.#bits = bits
    this.status.set(toDeviceStatus(bits))
  }

  resetDecoder(): void {
    this.#decoder.reset()
  }

  /** While set, a reply block it maps to a byte handler switches the rest of the input to that handler. */
  routeAfterBlock(route: ((block: ReplyBlock) => ((byte: number) => void) | undefined) | undefined): void {
    this.#routeAfterBlock = route
  }

  /** Sends every byte from the device to `route` (a firmware transfer) until set back to undefined. */
  routeBytes(route: ((byte: number) => void) | undefined): void {
    this.#byteRoute = route
  }

  /** Calls back once when the device vanishes or the printer is closed. */
  onGone(listener: () => void): () => void {
    this.#goneListeners.add(listener)
    return () => this.#goneListeners.delete(listener)
  }

  /**
   * Runs an update step with the printer to itself: after queued jobs, no status query, status
   * `busy`. Afterwards the printer has reset, so Automatic Status Back and the status are set up anew.
   */
  exclusive<T, D extends string>(kind: string, task: (log: Logger) => Promise<Result<T, D>>): Promise<Result<T, D>> {
    this.updating = true
    const log = this.log.child({ update: kind })
    return this.jobs.run(async () => {
      const previous = this.status.status
      this.status.set({ ...previous, state: 'busy' })
      try {
        const result = await task(log)
        if (!result.ok) log.warn({ code: result.error.code, detail: result.error.detail }, result.error.message)
        return result
      } finally {
        this.#routeAfterBlock = undefined
        this.#byteRoute = undefined
        this.#decoder.reset()
        this.updating = false
        if (this.status.status.state === 'busy') this.status.set(previous)
        if (this.transport.isOpen && this.#open) await this.#lifecycle.initialise()
      }
    })
  }

  #schedulePoll(): void {
    clearTimeout(this.#pollTimer)
    if (!this.#open || this.#options.pollIntervalMs === 0) return
    this.#pollTimer = setTimeout(() => {
      if (!this.transport.isOpen) return
      this.#lifecycle
        .poll()
        .catch((err: unknown) => this.log.warn({ err }, 'status poll failed'))
        .finally(() => this.#schedulePoll())
    }, this.#options.pollIntervalMs)
  }

  #onData(chunk: Uint8Array): void {
    this.log.trace({ dir: 'in', hex: Buffer.from(chunk).toString('hex') }, 'bytes')
    if (this.#byteRoute !== undefined) {
      for (let i = 0; i < chunk.length; i++) {
        const route = this.#byteRoute
        if (route === undefined) {
          // the transfer ended mid-chunk: what follows (a refusal reason) is ESC/POS again
          this.#decode(chunk.subarray(i))
          return
        }
        route(chunk[i] ?? 0)
      }
      return
    }
    if (this.#routeAfterBlock !== undefined) {
      // byte by byte: the bootloader's first `C` may follow its ready block in the same chunk
      for (let i = 0; i < chunk.length; i++) {
        if (this.#byteRoute !== undefined) {
          this.#onData(chunk.subarray(i))
          return
        }
        this.#decode(chunk.subarray(i, i + 1))
      }
      return
    }
    this.#decode(chunk)
  }

  #decode(chunk: Uint8Array): void {
    for (const event of this.#decoder.push(chunk)) {
      if (event.kind === 'discarded') {
        this.health.discardedBytes += event.bytes.length
        this.log.warn({ reason: event.reason, length: event.bytes.length }, 'discarded bytes')
        continue
      }
      const frame = event.frame
      if (frame.type === 'block') {
        const block = { header: frame.header, data: frame.data }
        if (block.header === REPLY_USER_SETTING && block.data[0] === REPLY_ID_REFUSED) {
          this.lastRefusal = latin1(block.data.subarray(1))
        }
        const route = this.#routeAfterBlock?.(block)
        if (route !== undefined) this.#byteRoute = route
        if (!this.replies.push(block)) this.health.discardedBytes += block.data.length + 2
      } else if (frame.type === 'asb') this.applyBits(decodeAsb(frame.bytes))
      else if (frame.type === 'realtime') {
        if (!this.realtime.push(frame)) this.health.discardedBytes++
      } else {
        const paper = decodeTransmitPaperStatus(frame.byte)
        if (!this.completion.push(frame)) this.health.discardedBytes++
        this.applyBits({ ...this.#bits, ...paper })
      }
    }
  }

  #onStatusChanged(next: DeviceStatus, previous: DeviceStatus): void {
    const urgent = next.paper === 'out' || next.cover === 'open' || next.state === 'noDevice'
    this.log[urgent ? 'warn' : 'info']({ status: next, previous: previous.state }, 'status changed')
    if ((previous.paper === 'out' || previous.paper === 'low') && next.paper === 'full') this.health.rollLoaded()
    const detail = blockingDetail(next)
    if (detail !== undefined && this.activeJob !== undefined) {
      this.activeJob({ ok: false, detail, message: `printing stopped mid-job: ${detail}` })
    }
    this.events.emit('statusChanged', next, previous)
  }

  #onDisconnect(cause: Error): void {
    this.health.disconnects++
    this.log.warn({ err: cause }, 'device disconnected')
    this.realtime.cancelAll('device disconnected')
    this.replies.cancelAll('device disconnected')
    for (const gone of [...this.#goneListeners]) gone()
    this.status.set({ state: 'noDevice', errorCode: 'disconnected' })
    // a status query waiting on the old link must not block the new one
    this.#statusLock.close()
    this.#statusLock = new RequestQueue()
    this.#scheduleReconnect(this.#options.reconnect ? this.#options.reconnect.initialDelayMs : 0)
  }

  #scheduleReconnect(delayMs: number): void {
    const policy = this.#options.reconnect
    if (!policy || !this.#open) return
    this.#reconnectTimer = setTimeout(async () => {
      if (!this.#open) return
      try {
        await this.transport.open()
      } catch (err) {
        this.log.debug({ err, delayMs }, 'reconnect failed')
        this.#scheduleReconnect(Math.min(delayMs * 2, policy.maxDelayMs))
        return
      }
      this.health.reconnects++
      this.log.info('reconnected')
      await this.#lifecycle.initialise()
      this.#schedulePoll()
    }, delayMs)
  }
}

export const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1')
