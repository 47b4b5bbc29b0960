import { createServer, type Server, type Socket } from 'node:net'
import { AppError, DriverErrorCodes, Listeners, type Transport } from '@drivers/core'

/** The device side of one accepted TCP connection, as a Transport the emulator can own. */
export class AcceptedSocketTransport implements Transport {
  readonly description: string
  readonly #socket: Socket
  readonly #data = new Listeners<[Uint8Array]>()
  readonly #disconnect = new Listeners<[Error]>()
  #closing = false

  constructor(socket: Socket) {
    this.#socket = socket
    this.description = `tcp-peer://${socket.remoteAddress}:${socket.remotePort}`
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.#data.emit(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      if (!this.#closing) this.#disconnect.emit(new Error(`${this.description} closed by peer`))
    })
  }

  get isOpen(): boolean {
    return !this.#socket.destroyed
  }

  async open(): Promise<void> {
    if (this.#socket.destroyed) throw new AppError(DriverErrorCodes.transportOpenFailed, `${this.description} is gone`)
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.#socket.destroyed) throw new AppError(DriverErrorCodes.transportClosed, `${this.description} is closed`)
    await new Promise<void>((resolve, reject) => this.#socket.write(bytes, (err) => (err ? reject(err) : resolve())))
  }

  async close(): Promise<void> {
    this.#closing = true
    this.#socket.destroy()
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.#data.on(listener)
  }

  onDisconnect(listener: (cause: Error) => void): () => void {
    return this.#disconnect.on(listener)
  }
}

export interface EmulatorTcpServer {
  port: number
  close(): Promise<void>
}

/**
 * Serves an emulator on TCP as a network receipt printer does on port 9100: one connection at a
 * time (a second one is refused, like a busy printer), each handed to `onConnection`.
 */
export async function serveOnTcp(options: {
  port: number
  host?: string
  onConnection: (transport: Transport) => Promise<void> | void
}): Promise<EmulatorTcpServer> {
  let busy = false
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    if (busy) {
      socket.destroy()
      return
    }
    busy = true
    const transport = new AcceptedSocketTransport(socket)
    socket.once('close', () => {
      busy = false
    })
    void Promise.resolve(options.onConnection(transport)).catch(() => socket.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve())
  })
  const address = server.address()
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
