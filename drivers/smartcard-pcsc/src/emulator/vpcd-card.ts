import { connect, type Socket } from 'node:net'
import pino, { type Logger } from 'pino'
import { encodeVpcdMessage, VPCD_DEFAULT_PORT, VpcdDecoder, type VpcdMessage } from '../codec/index.ts'
import type { VirtualSscCard } from './virtual-ssc-card.ts'

export interface VpcdCardOptions {
  card: VirtualSscCard
  host?: string
  /** The vpcd reader's port (reader.conf CHANNELID / DEVICENAME `/dev/null:PORT`). Default 35963. */
  port?: number
  logger?: Logger
}

/**
 * Puts a virtual card into a vsmartcard-vpcd reader: connecting is inserting the card, closing the
 * socket is pulling it. Speaks the vpcd protocol from the card side (§6) with no Python needed.
 * Fault switch: `pullAfterApdus(n)` pulls the card instead of answering the n-th APDU from now.
 */
export class VpcdCard {
  readonly card: VirtualSscCard
  apdus = 0
  readonly #host: string
  readonly #port: number
  readonly #log: Logger
  #socket: Socket | undefined
  #pullAt: number | undefined
  #closed: Promise<void> = Promise.resolve()

  constructor(options: VpcdCardOptions) {
    this.card = options.card
    this.#host = options.host ?? '127.0.0.1'
    this.#port = options.port ?? VPCD_DEFAULT_PORT
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ emulator: 'vpcd-card' })
  }

  get inserted(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed
  }

  /** Connects to vpcd (the reader then powers the card and asks for its ATR). */
  async insert(): Promise<void> {
    if (this.inserted) return
    const socket = connect({ host: this.#host, port: this.#port })
    socket.setNoDelay(true)
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    socket.on('error', (err) => this.#log.warn({ err }, 'vpcd socket error'))
    const decoder = new VpcdDecoder()
    socket.on('data', (chunk: Buffer) => {
      for (const message of decoder.push(chunk)) this.#answer(socket, message)
    })
    this.#closed = new Promise((resolve) => socket.once('close', () => resolve()))
    this.#socket = socket
    this.card.reset()
    this.#log.info({ port: this.#port }, 'card inserted')
  }

  /** Pulls the card out of the reader. */
  async remove(): Promise<void> {
    const socket = this.#socket
    this.#socket = undefined
    if (!socket) return
    socket.destroy()
    await this.#closed
    this.#log.info('card removed')
  }

  pullAfterApdus(n: number): void {
    if (!(Number.isInteger(n) && n >= 1)) throw new TypeError('pullAfterApdus takes a count ≥ 1')
    this.#pullAt = this.apdus + n
  }

  #answer(socket: Socket, message: VpcdMessage): void {
    switch (message.kind) {
      case 'powerOn':
      case 'powerOff':
      case 'reset':
        this.card.reset()
        return
      case 'getAtr':
        socket.write(encodeVpcdMessage(this.card.atr))
        return
      case 'unknownControl':
        this.#log.warn({ code: message.code }, 'unknown vpcd control code')
        return
      case 'apdu': {
        this.apdus++
        if (this.#pullAt !== undefined && this.apdus >= this.#pullAt) {
          this.#pullAt = undefined
          this.#log.info({ apdus: this.apdus }, 'card pulled mid-exchange')
          this.remove().catch((err: unknown) => this.#log.warn({ err }, 'pull failed'))
          return
        }
        const response = this.card.process(message.apdu)
        this.#log.debug({ ins: message.apdu[1], len: message.apdu.length }, 'apdu')
        socket.write(encodeVpcdMessage(response))
      }
    }
  }
}
