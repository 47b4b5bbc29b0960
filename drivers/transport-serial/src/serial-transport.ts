import { AppError, DriverErrorCodes, Listeners, type Transport } from '@drivers/core'
import { SerialPort } from 'serialport'

export interface SerialTransportOptions {
  path: string
  baudRate: number
  dataBits?: 5 | 6 | 7 | 8
  parity?: 'none' | 'even' | 'odd'
  stopBits?: 1 | 2
}

/**
 * A Transport over a serial port (serialport). `write()` resolves after tcdrain, so the bytes
 * are on the wire when it returns. A port closed by the OS (device unplugged) fires onDisconnect.
 */
export class SerialTransport implements Transport {
  readonly description: string
  readonly #options: SerialTransportOptions
  #port: SerialPort | undefined
  #closing = false
  readonly #data = new Listeners<[Uint8Array]>()
  readonly #disconnect = new Listeners<[Error]>()

  constructor(options: SerialTransportOptions) {
    if (!options.path) throw new TypeError('SerialTransportOptions.path is required')
    if (!Number.isInteger(options.baudRate) || options.baudRate <= 0) {
      throw new TypeError(`SerialTransportOptions.baudRate must be a positive integer, got ${options.baudRate}`)
    }
    this.#options = options
    this.description = `${options.path}@${options.baudRate}`
  }

  get isOpen(): boolean {
    return this.#port?.isOpen ?? false
  }

  async open(): Promise<void> {
    const { path, baudRate, dataBits = 8, parity = 'none', stopBits = 1 } = this.#options
    const port = new SerialPort({ path, baudRate, dataBits, parity, stopBits, autoOpen: false })
    await new Promise<void>((resolve, reject) => {
      port.open((err) => {
        if (err) {
          reject(
            new AppError(DriverErrorCodes.transportOpenFailed, `cannot open ${path}: ${err.message}`, {
              cause: err,
              context: { path },
            }),
          )
        } else resolve()
      })
    })
    this.#closing = false
    this.#port = port
    port.on('data', (chunk: Buffer) => this.#data.emit(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)))
    port.on('error', (err: Error) => this.#lost(err))
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
      if (!this.#closing) this.#lost(err ?? new Error(`${path} closed`))
    })
  }

  async write(bytes: Uint8Array): Promise<void> {
    const port = this.#port
    if (!port?.isOpen) throw new AppError(DriverErrorCodes.transportClosed, `${this.description} is not open`)
    await new Promise<void>((resolve, reject) => {
      port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (err) => {
        if (err) reject(err)
      })
      port.drain((err) => (err ? reject(err) : resolve()))
    })
  }

  async close(): Promise<void> {
    const port = this.#port
    this.#port = undefined
    if (!port?.isOpen) return
    this.#closing = true
    await new Promise<void>((resolve) => port.close(() => resolve()))
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.#data.on(listener)
  }

  onDisconnect(listener: (cause: Error) => void): () => void {
    return this.#disconnect.on(listener)
  }

  #lost(cause: Error): void {
    if (this.#closing) return
    this.#closing = true
    const port = this.#port
    this.#port = undefined
    if (port?.isOpen) port.close(() => undefined)
    this.#disconnect.emit(cause)
  }
}
