import type { Transport } from '@drivers/core'
import pino, { type Logger } from 'pino'
import {
  ADDITIONAL_ADDRESS_SIZE,
  decodeCommand,
  encodeCardText,
  encodeResponse,
  FrameDecoder,
  type SamCommand,
  type SamResponse,
  samStatusCode,
  type UnknownSamCommand,
  writeUcs2,
} from '../codec/index.ts'
import type { EmulatedCard } from './emulated-card.ts'

/** What the emulated card is doing in the field. After a read it halts until it leaves (§1.3). */
export type EmulatedCardState = 'absent' | 'present' | 'found' | 'selected' | 'halted'

export type ReceivedCommand = SamCommand | UnknownSamCommand

/** Ordered hooks; the first to return a response answers the command (zwave-js MockController). */
export interface Ga467Behavior {
  onCommand(command: ReceivedCommand, emulator: Ga467Emulator): SamResponse | undefined
}

/** Fault switches. One-shot switches reset themselves once used. */
export interface Ga467Faults {
  /** SAM answers every command with SW3 = 60 until cleared. */
  samSelfTestFailed: boolean
  /** One-shot: the next reply goes out with a wrong checksum. */
  corruptNextChecksum: boolean
  /** One-shot: these bytes go out before the next reply. */
  garbageBeforeNext: Uint8Array | undefined
  /** One-shot: the next command gets no reply at all. */
  dropNext: boolean
  /** One-shot: during the next card read, the card leaves after this many reply bytes are sent. */
  removeCardDuringRead: number | undefined
}

export interface Ga467EmulatorOptions {
  transport: Transport
  /** Card in the field at start. */
  card?: EmulatedCard
  /** 16-byte SAM id answered to 12 FF. */
  samId?: Uint8Array
  /** Pace bytes as a UART at this rate would (commands take their wire time to arrive, replies to leave). */
  baudRate?: number
  /** Extra think time before each reply. */
  responseDelayMs?: number
  behaviors?: Ga467Behavior[]
  logger?: Logger
}

const DEFAULT_SAM_ID = Uint8Array.of(5, 0, 1, 0, 0x39, 0x30, 0, 0, 0x15, 0xcd, 0x5b, 0x07, 0xb1, 0x68, 0xde, 0x3a)
const CHUNK = 32

/**
 * The SAM side of GA 467: decodes host frames with the codec, answers with `encodeResponse`, keeps
 * the card state, and injects faults. Runs on any Transport (memory pair, pty, tcp).
 */
export class Ga467Emulator {
  readonly received: ReceivedCommand[] = []
  readonly faults: Ga467Faults = {
    samSelfTestFailed: false,
    corruptNextChecksum: false,
    garbageBeforeNext: undefined,
    dropNext: false,
    removeCardDuringRead: undefined,
  }
  responseDelayMs: number
  baudRate: number | undefined
  readonly #transport: Transport
  readonly #decoder = new FrameDecoder()
  readonly #behaviors: Ga467Behavior[]
  readonly #samId: Uint8Array
  readonly #log: Logger
  #card: EmulatedCard | undefined
  #state: EmulatedCardState
  #work: Promise<void> = Promise.resolve()
  #stopped = false
  #timers = new Set<ReturnType<typeof setTimeout>>()
  #waiters: { pred: (c: ReceivedCommand) => boolean; resolve: (c: ReceivedCommand) => void }[] = []
  #unsubscribe: (() => void) | undefined

  constructor(options: Ga467EmulatorOptions) {
    if (options.samId && options.samId.length !== 16) throw new TypeError('Ga467EmulatorOptions.samId must be 16 bytes')
    if (options.baudRate !== undefined && !(options.baudRate > 0)) {
      throw new TypeError('Ga467EmulatorOptions.baudRate must be positive')
    }
    this.#transport = options.transport
    this.#card = options.card
    this.#state = options.card ? 'present' : 'absent'
    this.#samId = options.samId ?? DEFAULT_SAM_ID
    this.baudRate = options.baudRate
    this.responseDelayMs = options.responseDelayMs ?? 0
    this.#behaviors = options.behaviors ?? []
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ emulator: 'ga467' })
  }

  get cardState(): EmulatedCardState {
    return this.#state
  }

  /** Opens the transport (if needed) and starts answering. */
  async start(): Promise<void> {
    if (!this.#transport.isOpen) await this.#transport.open()
    this.#stopped = false
    this.#unsubscribe = this.#transport.onData((chunk) => this.#onData(chunk))
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#unsubscribe?.()
    for (const t of this.#timers) clearTimeout(t)
    this.#timers.clear()
    await this.#transport.close()
  }

  /** Places a card in the field (a fresh presentation, even of the same card). */
  presentCard(card: EmulatedCard | undefined = this.#card): void {
    if (!card) throw new TypeError('presentCard: no card given and none loaded')
    encodeCardText(card.text)
    this.#card = card
    this.#state = 'present'
  }

  removeCard(): void {
    this.#state = 'absent'
  }

  /** Resolves with the first received command (past or future) that matches. */
  expectCommand(pred: (c: ReceivedCommand) => boolean, timeoutMs = 2000): Promise<ReceivedCommand> {
    const seen = this.received.find(pred)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`emulator: expected command not received in ${timeoutMs} ms`)),
        timeoutMs,
      )
      this.#waiters.push({
        pred,
        resolve: (c) => {
          clearTimeout(timer)
          resolve(c)
        },
      })
    })
  }

  #onData(chunk: Uint8Array): void {
    const arrivedAt = performance.now()
    for (const event of this.#decoder.push(chunk)) {
      if (event.kind === 'discarded') {
        this.#log.debug({ reason: event.reason, len: event.bytes.length }, 'discarded host bytes')
        // A bad checksum from the host is answered with SW3 = 10 (§1.4).
        if (event.reason === 'checksum') this.#enqueue(arrivedAt, event.bytes.length, this.#status('checksumError'))
        continue
      }
      const decoded = decodeCommand(event.body)
      if (!decoded.ok) {
        this.#enqueue(arrivedAt, event.body.length + 8, this.#status('lengthError'))
        continue
      }
      const command = decoded.value
      this.received.push(command)
      this.#log.debug({ cmd: command.type }, 'command')
      for (const w of [...this.#waiters]) {
        if (w.pred(command)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1)
          w.resolve(command)
        }
      }
      if (this.faults.dropNext) {
        this.faults.dropNext = false
        continue
      }
      this.#enqueue(arrivedAt, event.body.length + 8, this.#answer(command))
    }
  }

  #status(name: Parameters<typeof samStatusCode>[0], sw1 = 0, sw2 = 0): SamResponse {
    return { type: 'status', sw1, sw2, sw3: samStatusCode(name) }
  }

  /** The SAM's state machine. */
  #answer(command: ReceivedCommand): SamResponse {
    for (const behavior of this.#behaviors) {
      const response = behavior.onCommand(command, this)
      if (response) return response
    }
    if (this.faults.samSelfTestFailed) return this.#status('samSelfTestFailed')
    const ok = { sw1: 0, sw2: 0, sw3: samStatusCode('success') }
    switch (command.type) {
      case 'resetSam':
      case 'samStatus':
      case 'setBaudRate':
      case 'setRfFrameSize':
        return { type: 'status', ...ok }
      case 'readSamId':
        return { type: 'samId', ...ok, samId: this.#samId }
      case 'findCard':
        if (this.#state === 'present' || this.#state === 'found' || this.#state === 'selected') {
          this.#state = 'found'
          return { type: 'findCard', ...ok, sw3: samStatusCode('findSuccess'), data: new Uint8Array(4) }
        }
        return this.#status('findCardFailed')
      case 'selectCard':
        if (this.#state === 'found') {
          this.#state = 'selected'
          return { type: 'selectCard', ...ok, serial: new Uint8Array(8) }
        }
        // A halted card still in the field answers select; it stays halted (this emulator's model).
        if (this.#state === 'halted') return { type: 'selectCard', ...ok, serial: new Uint8Array(8) }
        return this.#status('selectCardFailed')
      case 'readCard':
      case 'readCardWithFingerprint': {
        const card = this.#card
        if (this.#state !== 'selected' || !card) return this.#status('readCardFailed')
        this.#state = 'halted'
        const fingerprints =
          command.type === 'readCardWithFingerprint' ? (card.fingerprints ?? new Uint8Array(0)) : undefined
        return { type: 'cardData', ...ok, text: encodeCardText(card.text), photo: card.photoWlt, fingerprints }
      }
      case 'readAdditionalAddress': {
        const card = this.#card
        if ((this.#state !== 'selected' && this.#state !== 'halted') || !card) return this.#status('readCardFailed')
        if (card.additionalAddress === undefined) return this.#status('noContent')
        const data = new Uint8Array(ADDITIONAL_ADDRESS_SIZE)
        writeUcs2(data, 0, ADDITIONAL_ADDRESS_SIZE, card.additionalAddress, 'additionalAddress')
        return { type: 'additionalAddress', ...ok, data }
      }
      case 'unknown':
        return this.#status('commandError')
    }
  }

  /** Replies go out one after another, each after the command's wire time and the think time. */
  #enqueue(arrivedAt: number, commandBytes: number, response: SamResponse): void {
    const isRead = response.type === 'cardData'
    let frame = encodeResponse(response)
    if (this.faults.corruptNextChecksum) {
      this.faults.corruptNextChecksum = false
      frame = Uint8Array.from(frame)
      frame[frame.length - 1]! ^= 0xff
    }
    if (this.faults.garbageBeforeNext) {
      const garbage = this.faults.garbageBeforeNext
      this.faults.garbageBeforeNext = undefined
      const joined = new Uint8Array(garbage.length + frame.length)
      joined.set(garbage, 0)
      joined.set(frame, garbage.length)
      frame = joined
    }
    let cutAt: number | undefined
    if (isRead && this.faults.removeCardDuringRead !== undefined) {
      cutAt = Math.min(this.faults.removeCardDuringRead, frame.length)
      this.faults.removeCardDuringRead = undefined
    }
    const wireMs = this.baudRate ? (commandBytes * 10_000) / this.baudRate : 0
    this.#work = this.#work.then(() => this.#send(frame, arrivedAt + wireMs + this.responseDelayMs, cutAt))
  }

  async #send(frame: Uint8Array, startAt: number, cutAt: number | undefined): Promise<void> {
    const bytes = cutAt === undefined ? frame : frame.slice(0, cutAt)
    const perByteMs = this.baudRate ? 10_000 / this.baudRate : 0
    const start = Math.max(startAt, performance.now())
    try {
      if (perByteMs === 0) {
        await this.#sleepUntil(start)
        if (bytes.length > 0) await this.#write(bytes)
      } else {
        for (let at = 0; at < bytes.length; at += CHUNK) {
          const piece = bytes.subarray(at, Math.min(at + CHUNK, bytes.length))
          await this.#sleepUntil(start + (at + piece.length) * perByteMs)
          await this.#write(piece)
        }
      }
    } catch (err) {
      this.#log.warn({ err }, 'reply not sent')
    }
    if (cutAt !== undefined) this.#state = 'absent'
  }

  async #write(bytes: Uint8Array): Promise<void> {
    if (this.#stopped || !this.#transport.isOpen) return
    await this.#transport.write(bytes)
  }

  /** Timers have millisecond resolution and may fire a little early: sleep again until `at` has passed. */
  async #sleepUntil(at: number): Promise<void> {
    for (let ms = at - performance.now(); ms > 0 && !this.#stopped; ms = at - performance.now()) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.#timers.delete(t)
          resolve()
        }, Math.ceil(ms))
        this.#timers.add(t)
      })
    }
  }
}
