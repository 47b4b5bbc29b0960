/**
 * A Transport moves bytes and nothing else (after serialport's BindingInterface).
 *
 * Contract:
 * - `open()` resolves once bytes can flow; it rejects with ERR_DRV_TRANSPORT_OPEN_FAILED.
 * - `write()` resolves when the bytes were handed to the OS (drained for serial ports);
 *   it rejects with ERR_DRV_TRANSPORT_CLOSED when the transport is not open.
 * - `onData` listeners receive chunks in arrival order; chunk boundaries carry no meaning.
 * - `close()` is the caller's own shutdown: it never fires `onDisconnect`.
 * - Any other loss of the device (unplugged, EOF, I/O error) fires `onDisconnect` once, with the cause.
 * - Listener registrations return a function that removes the listener.
 */
export interface Transport {
  readonly description: string
  readonly isOpen: boolean
  open(): Promise<void>
  write(bytes: Uint8Array): Promise<void>
  close(): Promise<void>
  onData(listener: (chunk: Uint8Array) => void): () => void
  onDisconnect(listener: (cause: Error) => void): () => void
}
