import { crc16Xmodem } from './crc16.ts'

/**
 * XMODEM-1K with CRC-16 (Ward Christensen's XMODEM, Chuck Forsberg's 1K/CRC extension), as pure
 * state machines: the caller moves bytes and runs timers, so every path (NAK, retransmit, CAN,
 * timeouts) is testable without a port or a clock.
 *
 * Block: `STX seq ~seq data[1024] crcHi crcLo` (or `SOH` with 128 bytes); seq starts at 1 and
 * wraps at 255 → 0; the last block is padded with SUB (0x1A). The receiver starts the transfer
 * by sending `C` (CRC mode), answers each block ACK / NAK, and either side cancels with `CAN CAN`.
 * The sender ends with EOT; the receiver's answer to EOT (ACK or CAN CAN) is its verdict.
 */
export const SOH = 0x01
export const STX = 0x02
export const EOT = 0x04
export const ACK = 0x06
export const NAK = 0x15
export const CAN = 0x18
export const SUB = 0x1a
export const CRC_MODE = 0x43 // 'C'

export const BLOCK_1K = 1024
export const BLOCK_128 = 128

/** One framed block. */
export function encodeBlock(seq: number, data: Uint8Array, size: 128 | 1024 = BLOCK_1K): Uint8Array {
  if (data.length > size) throw new RangeError(`block data ${data.length} > ${size}`)
  const payload = new Uint8Array(size).fill(SUB)
  payload.set(data)
  const crc = crc16Xmodem(payload)
  const frame = new Uint8Array(3 + size + 2)
  frame[0] = size === BLOCK_1K ? STX : SOH
  frame[1] = seq & 0xff
  frame[2] = ~seq & 0xff
  frame.set(payload, 3)
  frame[3 + size] = crc >> 8
  frame[4 + size] = crc & 0xff
  return frame
}

export type DecodedBlock =
  | { ok: true; seq: number; data: Uint8Array }
  | { ok: false; reason: 'badSequenceComplement' | 'badCrc' }

/** Checks a complete frame (header byte included). */
export function decodeBlock(frame: Uint8Array): DecodedBlock {
  const size = frame[0] === STX ? BLOCK_1K : BLOCK_128
  const seq = frame[1] ?? 0
  if (((frame[2] ?? 0) ^ 0xff) !== seq) return { ok: false, reason: 'badSequenceComplement' }
  const data = frame.subarray(3, 3 + size)
  const crc = ((frame[3 + size] ?? 0) << 8) | (frame[4 + size] ?? 0)
  if (crc16Xmodem(data) !== crc) return { ok: false, reason: 'badCrc' }
  return { ok: true, seq, data }
}

const cancelBytes = (): Uint8Array => Uint8Array.of(CAN, CAN, CAN)

// ---- sender -----------------------------------------------------------------------------------

/** `receiverSilent`: the retries ran out on timeouts alone (the device stopped answering). */
export type XmodemSenderFailure = 'cancelledByReceiver' | 'tooManyRetries' | 'receiverSilent' | 'noReceiver' | 'aborted'
export type XmodemSenderEvent =
  | { type: 'send'; bytes: Uint8Array }
  | { type: 'progress'; acknowledged: number; total: number }
  | { type: 'done' }
  | { type: 'failed'; reason: XmodemSenderFailure }

export interface XmodemSenderOptions {
  /** NAKs or timeouts for one block (or waits for `C`) before giving up (default 10, as XMODEM). */
  maxRetries?: number
}

/**
 * Host side. `receive()` every byte from the device, `timeout()` when the caller's timer ran out
 * (re-arm it whenever the sender sends). The emitted events say what to write and how it ends.
 */
export class XmodemSender {
  state: 'waitingStart' | 'sending' | 'ending' | 'done' | 'failed' = 'waitingStart'
  readonly counters = { blocksSent: 0, retransmits: 0, naks: 0, timeouts: 0, ignoredBytes: 0 }
  readonly #data: Uint8Array
  readonly #blocks: number
  readonly #maxRetries: number
  #index = 0
  #retries = 0
  #silentRetries = 0
  #lastWasCan = false

  constructor(data: Uint8Array, options: XmodemSenderOptions = {}) {
    this.#data = data
    this.#blocks = Math.max(1, Math.ceil(data.length / BLOCK_1K))
    this.#maxRetries = options.maxRetries ?? 10
  }

  get finished(): boolean {
    return this.state === 'done' || this.state === 'failed'
  }

  get totalBlocks(): number {
    return this.#blocks
  }

  receive(byte: number): XmodemSenderEvent[] {
    if (this.finished) return []
    if (byte === CAN) {
      if (this.#lastWasCan) return this.#fail('cancelledByReceiver', false)
      this.#lastWasCan = true
      return []
    }
    this.#lastWasCan = false
    switch (this.state) {
      case 'waitingStart':
        if (byte === CRC_MODE) {
          this.state = 'sending'
          return [this.#block()]
        }
        break
      case 'sending':
        if (byte === ACK) {
          this.#index++
          this.#retries = 0
          this.#silentRetries = 0
          const progress: XmodemSenderEvent = {
            type: 'progress',
            acknowledged: Math.min(this.#index * BLOCK_1K, this.#data.length),
            total: this.#data.length,
          }
          if (this.#index >= this.#blocks) {
            this.state = 'ending'
            return [progress, { type: 'send', bytes: Uint8Array.of(EOT) }]
          }
          return [progress, this.#block()]
        }
        if (byte === NAK) {
          this.counters.naks++
          this.#silentRetries = 0
          return this.#retry()
        }
        break
      case 'ending':
        if (byte === ACK) {
          this.state = 'done'
          return [{ type: 'done' }]
        }
        if (byte === NAK) {
          this.counters.naks++
          return this.#retry()
        }
        break
    }
    this.counters.ignoredBytes++
    return []
  }

  /** The caller's timer ran out with no answer. */
  timeout(): XmodemSenderEvent[] {
    if (this.finished) return []
    this.counters.timeouts++
    if (this.state === 'waitingStart') {
      if (++this.#retries > this.#maxRetries) return this.#fail('noReceiver', false)
      return []
    }
    this.#silentRetries++
    return this.#retry()
  }

  /** The caller gives up: tells the receiver to cancel. */
  abort(): XmodemSenderEvent[] {
    if (this.finished) return []
    return this.#fail('aborted', true)
  }

  #retry(): XmodemSenderEvent[] {
    if (++this.#retries > this.#maxRetries) {
      return this.#fail(this.#silentRetries >= this.#retries ? 'receiverSilent' : 'tooManyRetries', true)
    }
    this.counters.retransmits++
    if (this.state === 'ending') return [{ type: 'send', bytes: Uint8Array.of(EOT) }]
    return [this.#block()]
  }

  #block(): XmodemSenderEvent {
    const start = this.#index * BLOCK_1K
    this.counters.blocksSent++
    const bytes = encodeBlock((this.#index + 1) & 0xff, this.#data.subarray(start, start + BLOCK_1K))
    return { type: 'send', bytes }
  }

  #fail(reason: XmodemSenderFailure, cancel: boolean): XmodemSenderEvent[] {
    this.state = 'failed'
    const events: XmodemSenderEvent[] = cancel ? [{ type: 'send', bytes: cancelBytes() }] : []
    events.push({ type: 'failed', reason })
    return events
  }
}

// ---- receiver ---------------------------------------------------------------------------------

export type XmodemReceiverFailure = 'cancelledBySender' | 'noSender' | 'senderGone' | 'sequence' | 'tooManyErrors'
export type XmodemReceiverEvent =
  | { type: 'send'; bytes: Uint8Array }
  /** A bad block: discard input until the line is quiet, then call `purged()`. */
  | { type: 'purge'; reason: 'badSequenceComplement' | 'badCrc' }
  /** EOT: the whole transfer, SUB padding included. Answer with `accept()` or `refuse()`. */
  | { type: 'end'; data: Uint8Array }
  | { type: 'refused'; reason: string }
  | { type: 'failed'; reason: XmodemReceiverFailure }

export interface XmodemReceiverOptions {
  /** Largest transfer accepted; more is cancelled (default 8 MiB). */
  maxBytes?: number
  /** `poll()` calls without a block before giving up: while starting (sending `C`) and mid-transfer. */
  maxIdlePolls?: number
  maxErrors?: number
  /** Looks at each good block before it is acknowledged; a returned string refuses the transfer. */
  inspectBlock?: (data: Uint8Array, index: number) => string | undefined
}

/** Device side (the bootloader). `start()`, then `receive()` chunks and `poll()` on a timer. */
export class XmodemReceiver {
  state: 'starting' | 'receiving' | 'purging' | 'verdict' | 'done' | 'failed' = 'starting'
  readonly counters = { blocks: 0, duplicates: 0, naks: 0, ignoredBytes: 0 }
  readonly #options: Required<Omit<XmodemReceiverOptions, 'inspectBlock'>> & Pick<XmodemReceiverOptions, 'inspectBlock'>
  #buffer: number[] = []
  #chunks: Uint8Array[] = []
  #received = 0
  #expected = 1
  #idlePolls = 0
  #errors = 0
  #heard = false
  #lastCan = false

  constructor(options: XmodemReceiverOptions = {}) {
    this.#options = {
      maxBytes: options.maxBytes ?? 8 * 1024 * 1024,
      maxIdlePolls: options.maxIdlePolls ?? 10,
      maxErrors: options.maxErrors ?? 10,
      inspectBlock: options.inspectBlock,
    }
  }

  get finished(): boolean {
    return this.state === 'done' || this.state === 'failed'
  }

  start(): XmodemReceiverEvent[] {
    return [{ type: 'send', bytes: Uint8Array.of(CRC_MODE) }]
  }

  /** Timer: asks for CRC mode again while starting; gives up when the sender stays silent. */
  poll(): XmodemReceiverEvent[] {
    if (this.finished || this.state === 'purging' || this.state === 'verdict') return []
    if (this.#heard) {
      this.#heard = false
      this.#idlePolls = 0
      return []
    }
    if (++this.#idlePolls > this.#options.maxIdlePolls) {
      return this.#fail(this.state === 'starting' ? 'noSender' : 'senderGone', this.state !== 'starting')
    }
    return this.state === 'starting' ? this.start() : []
  }

  receive(chunk: Uint8Array): XmodemReceiverEvent[] {
    const events: XmodemReceiverEvent[] = []
    for (const byte of chunk) {
      if (this.finished || this.state === 'verdict') break
      this.#heard = true
      if (this.state === 'purging') continue
      events.push(...this.#byte(byte))
    }
    return events
  }

  /** The line has been quiet since the bad block: ask for it again. */
  purged(): XmodemReceiverEvent[] {
    if (this.state !== 'purging') return []
    this.#buffer = []
    this.state = this.#expected === 1 ? 'starting' : 'receiving'
    this.counters.naks++
    return [{ type: 'send', bytes: Uint8Array.of(NAK) }]
  }

  accept(): XmodemReceiverEvent[] {
    if (this.state !== 'verdict') return []
    this.state = 'done'
    return [{ type: 'send', bytes: Uint8Array.of(ACK) }]
  }

  refuse(reason: string): XmodemReceiverEvent[] {
    if (this.finished) return []
    this.state = 'failed'
    return [
      { type: 'send', bytes: cancelBytes() },
      { type: 'refused', reason },
    ]
  }

  #byte(byte: number): XmodemReceiverEvent[] {
    if (this.#buffer.length === 0) {
      if (byte === STX || byte === SOH) {
        this.#buffer.push(byte)
        return []
      }
      if (byte === EOT && this.state === 'receiving') {
        this.state = 'verdict'
        return [{ type: 'end', data: this.data }]
      }
      if (byte === CAN) {
        this.#buffer = []
        if (this.#lastCan) return this.#fail('cancelledBySender', false)
        this.#lastCan = true
        return []
      }
      this.#lastCan = false
      this.counters.ignoredBytes++
      return []
    }
    this.#buffer.push(byte)
    const size = this.#buffer[0] === STX ? BLOCK_1K : BLOCK_128
    if (this.#buffer.length < size + 5) return []
    const frame = Uint8Array.from(this.#buffer)
    this.#buffer = []
    const block = decodeBlock(frame)
    if (!block.ok) {
      if (++this.#errors > this.#options.maxErrors) return this.#fail('tooManyErrors', true)
      this.state = 'purging'
      return [{ type: 'purge', reason: block.reason }]
    }
    this.#errors = 0
    if (block.seq === ((this.#expected - 1) & 0xff) && this.#expected !== 1) {
      this.counters.duplicates++
      return [{ type: 'send', bytes: Uint8Array.of(ACK) }]
    }
    if (block.seq !== (this.#expected & 0xff)) return this.#fail('sequence', true)
    if (this.#received + block.data.length > this.#options.maxBytes) return this.refuse('tooLarge')
    const refused = this.#options.inspectBlock?.(block.data, this.counters.blocks)
    if (refused !== undefined) return this.refuse(refused)
    this.#chunks.push(Uint8Array.from(block.data))
    this.#received += block.data.length
    this.counters.blocks++
    this.#expected++
    this.state = 'receiving'
    return [{ type: 'send', bytes: Uint8Array.of(ACK) }]
  }

  get data(): Uint8Array {
    const out = new Uint8Array(this.#received)
    let at = 0
    for (const c of this.#chunks) {
      out.set(c, at)
      at += c.length
    }
    return out
  }

  #fail(reason: XmodemReceiverFailure, cancel: boolean): XmodemReceiverEvent[] {
    this.state = 'failed'
    const events: XmodemReceiverEvent[] = cancel ? [{ type: 'send', bytes: cancelBytes() }] : []
    events.push({ type: 'failed', reason })
    return events
  }
}
