import { XmodemSender, type XmodemSenderFailure } from '../firmware/xmodem.ts'

export type TransferFailure = XmodemSenderFailure | 'disconnected' | 'writeFailed'

export interface TransferIo {
  write(bytes: Uint8Array): Promise<boolean>
  /** Routes every byte from the device to the transfer until the returned function is called. */
  route(onByte: (byte: number) => void): () => void
  /** Calls back once if the device vanishes. */
  onGone(listener: () => void): () => void
}

export interface TransferOptions {
  /** Wait for the bootloader's first `C`, per try (default 3000 ms; maxRetries tries). */
  startTimeoutMs: number
  /** Wait for ACK/NAK of one block before sending it again (default 5000 ms). */
  blockTimeoutMs: number
  maxRetries: number
  onProgress?: ((fraction: number) => void) | undefined
  signal?: AbortSignal | undefined
}

export interface TransferStats {
  blocksSent: number
  retransmits: number
  naks: number
  timeouts: number
}

/**
 * Runs an XmodemSender over a live link: writes what it says, arms its timer, cancels on abort,
 * and settles on done, failure, or the device vanishing. Never hangs: every wait has a timer.
 */
export function runXmodemTransfer(
  data: Uint8Array,
  io: TransferIo,
  options: TransferOptions,
): Promise<{ ok: true; stats: TransferStats } | { ok: false; reason: TransferFailure; stats: TransferStats }> {
  const sender = new XmodemSender(data, { maxRetries: options.maxRetries })
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    let settled = false
    let writing = Promise.resolve()
    const cleanups: (() => void)[] = []
    const finish = (outcome: { ok: true } | { ok: false; reason: TransferFailure }): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      for (const off of cleanups) off()
      const stats = { ...sender.counters }
      // let the last write (CAN or the final ACK's follow-up) reach the wire before reporting
      void writing.then(() => resolve(outcome.ok ? { ok: true, stats } : { ok: false, reason: outcome.reason, stats }))
    }
    const arm = (): void => {
      clearTimeout(timer)
      const ms = sender.state === 'waitingStart' ? options.startTimeoutMs : options.blockTimeoutMs
      timer = setTimeout(() => handle(sender.timeout(), true), ms)
    }
    const handle = (events: ReturnType<XmodemSender['receive']>, rearm = false): void => {
      let sent = false
      for (const event of events) {
        if (event.type === 'send') {
          sent = true
          const bytes = event.bytes
          writing = writing.then(async () => {
            if (!(await io.write(bytes))) finish({ ok: false, reason: 'writeFailed' })
          })
        } else if (event.type === 'progress') options.onProgress?.(event.acknowledged / event.total)
        else if (event.type === 'done') finish({ ok: true })
        else finish({ ok: false, reason: event.reason })
      }
      if (!settled && (sent || rearm)) arm()
    }
    cleanups.push(io.route((byte) => handle(sender.receive(byte))))
    cleanups.push(io.onGone(() => finish({ ok: false, reason: 'disconnected' })))
    if (options.signal) {
      const onAbort = (): void => handle(sender.abort())
      options.signal.addEventListener('abort', onAbort, { once: true })
      cleanups.push(() => options.signal?.removeEventListener('abort', onAbort))
      if (options.signal.aborted) {
        handle(sender.abort())
        return
      }
    }
    arm()
  })
}
