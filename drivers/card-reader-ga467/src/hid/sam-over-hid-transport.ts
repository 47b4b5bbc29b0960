import { Listeners, type Transport } from '@drivers/core'
import {
  encodeHidPacket,
  HID_CMD_SAM_PASSTHROUGH,
  HID_FLAG_REPLY,
  HID_FLAG_REQUEST,
  HidPacketDecoder,
} from '../codec/index.ts'

export interface SamOverHidOptions {
  /** The HID report transport (`HidTransport` from @drivers/transport-hid, or a memory one). */
  inner: Transport
  /** `host` wraps requests (0x88) and unwraps replies (0xAA); `device` (emulator) the reverse. */
  side: 'host' | 'device'
  onDiscarded?: (bytes: Uint8Array, reason: string) => void
}

/**
 * The vendor HID wrapper as a Transport of plain SAM bytes: the driver and the emulator speak
 * GA 467 frames through it exactly as they do over a UART.
 */
export class SamOverHidTransport implements Transport {
  readonly description: string
  readonly #inner: Transport
  readonly #side: 'host' | 'device'
  readonly #decoder: HidPacketDecoder
  readonly #data = new Listeners<[Uint8Array]>()
  readonly #onDiscarded: SamOverHidOptions['onDiscarded']
  #srn = 0
  #off: (() => void) | undefined

  constructor(options: SamOverHidOptions) {
    this.#inner = options.inner
    this.#side = options.side
    this.#decoder = new HidPacketDecoder(options.side === 'host' ? HID_FLAG_REPLY : HID_FLAG_REQUEST)
    this.#onDiscarded = options.onDiscarded
    this.description = `${options.inner.description} (SAM over HID)`
  }

  get isOpen(): boolean {
    return this.#inner.isOpen
  }

  async open(): Promise<void> {
    this.#decoder.reset()
    this.#off?.()
    this.#off = this.#inner.onData((chunk) => this.#onChunk(chunk))
    if (!this.#inner.isOpen) await this.#inner.open()
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.#side === 'host') this.#srn = (this.#srn + 1) & 0xffff
    const flag = this.#side === 'host' ? HID_FLAG_REQUEST : HID_FLAG_REPLY
    await this.#inner.write(encodeHidPacket({ flag, srn: this.#srn, cmd: HID_CMD_SAM_PASSTHROUGH, payload: bytes }))
  }

  async close(): Promise<void> {
    this.#off?.()
    this.#off = undefined
    await this.#inner.close()
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.#data.on(listener)
  }

  onDisconnect(listener: (cause: Error) => void): () => void {
    return this.#inner.onDisconnect(listener)
  }

  #onChunk(chunk: Uint8Array): void {
    for (const event of this.#decoder.push(chunk)) {
      if (event.kind === 'discarded') {
        this.#onDiscarded?.(event.bytes, event.reason)
        continue
      }
      if (this.#side === 'device') this.#srn = event.packet.srn
      if (event.packet.cmd === HID_CMD_SAM_PASSTHROUGH) this.#data.emit(event.packet.payload)
      else this.#onDiscarded?.(event.packet.payload, 'unknownCommand')
    }
  }
}
