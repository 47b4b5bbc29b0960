import { createConnection, type Socket } from 'node:net'
import { AppError, DriverErrorCodes, Listeners, type Transport } from '@drivers/core'

export interface TcpTransportOptions {
  host: string
  port: number
  connectTimeoutMs?: number
}

/** A Transport over TCP: network printers on port 9100, or an emulator served by emulator-cli. */
export class TcpTransport implements Transport {
  readonly description: string
  readonly #options: TcpTransportOptions
  #socket: Socket | undefined
  #closing = false
  readonly #data = new Listeners<[Uint8Array]>()
  readonly #disconnect = new Listeners<[Error]>()

  constructor(options: TcpTransportOptions) {
    if (!Number.isInteger(options.port) || options.port <= 0 || options.port > 65535) {
      throw new TypeError(`TcpTransportOptions.port must be 1-65535, got ${options.port}`)
    }
    this.#options = options
    this.description = `tcp://${options.host}:${options.port}`
  }

  get isOpen(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed
  }

  async open(): Promise<void> {
    const { host, port, connectTimeoutMs = 5000 } = this.#options
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = createConnection({ host, port })
      const timer = setTimeout(
        () => s.destroy(new Error(`connect timeout after ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      )
      s.once('connect', () => {
        clearTimeout(timer)
        resolve(s)
      })
      s.once('error', (err) => {
        clearTimeout(timer)
        reject(
          new AppError(DriverErrorCodes.transportOpenFailed, `cannot connect to ${this.description}: ${err.message}`, {
            cause: err,
          }),
        )
      })
    })
    socket.setNoDelay(true)
    this.#closing = false
    this.#socket = socket
    socket.on('data', (chunk: Buffer) => this.#data.emit(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)))
    socket.on('error', (err) => this.#lost(err))
    socket.on('close', () => this.#lost(new Error(`${this.description} closed by peer`)))
  }

  async write(bytes: Uint8Array): Promise<void> {
    const socket = this.#socket
    if (!socket || socket.destroyed)
      throw new AppError(DriverErrorCodes.transportClosed, `${this.description} is not open`)
    await new Promise<void>((resolve, reject) => socket.write(bytes, (err) => (err ? reject(err) : resolve())))
  }

  async close(): Promise<void> {
    const socket = this.#socket
    this.#socket = undefined
    if (!socket) return
    this.#closing = true
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve())
      socket.end()
      setTimeout(() => socket.destroy(), 200).unref()
    })
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
    this.#socket?.destroy()
    this.#socket = undefined
    this.#disconnect.emit(cause)
  }
}
