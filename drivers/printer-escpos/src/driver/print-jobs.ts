import {
  AppError,
  fail,
  ok,
  type PrintedReceipt,
  type PrinterFailureDetail,
  type ReceiptDocument,
  type Result,
} from '@drivers/core'
import {
  DLE_DC4_CLEAR_BUFFERS,
  type EscPosProfile,
  encodeReceipt,
  GS_TRANSMIT_STATUS,
  type TextCodec,
  TRANSMIT_PAPER_STATUS,
} from '../codec/index.ts'
import { PrinterErrorCodes } from '../errors.ts'
import { blockingDetail, type JobOutcome } from './job-outcome.ts'
import type { PrinterConnection } from './printer-connection.ts'
import type { StatusQueries } from './status-queries.ts'

export interface PrintJobsOptions {
  connection: PrinterConnection
  status: StatusQueries
  profile: EscPosProfile
  textCodec: TextCodec | undefined
  description: string
  /** Fixed part of a job's time limit, ms; paper length adds at `minSpeedMmPerS`. */
  jobTimeoutMs: number
  minSpeedMmPerS: number
  /** Bytes per transport write, so a stop mid-job is seen between writes. */
  writeChunkBytes: number
}

/**
 * Receipts, one job at a time: the status is asked first (a printer out of paper gets nothing),
 * then the job is written in chunks and confirmed by GS r 1, which the printer answers only after
 * everything before it has printed.
 */
export class PrintJobs {
  readonly #o: PrintJobsOptions
  #jobId = 0

  constructor(options: PrintJobsOptions) {
    this.#o = options
  }

  print(document: ReceiptDocument): Promise<Result<PrintedReceipt, PrinterFailureDetail>> {
    const { connection, profile, textCodec } = this.#o
    if (!connection.opened) throw new AppError(PrinterErrorCodes.notOpen, `${this.#o.description} is not open`)
    const encoded = encodeReceipt(document, textCodec ? { profile, textCodec } : { profile })
    connection.pendingJobs++
    return connection.jobs.run(async () => {
      try {
        return await this.#printNow(document, encoded)
      } finally {
        connection.pendingJobs--
      }
    })
  }

  async #printNow(
    document: ReceiptDocument,
    encoded: ReturnType<typeof encodeReceipt>,
  ): Promise<Result<PrintedReceipt, PrinterFailureDetail>> {
    const { connection } = this.#o
    const started = Date.now()
    const checked = await this.#o.status.refresh()
    if (!checked.ok) return checked
    const refused = blockingDetail(checked.value)
    if (refused !== undefined) {
      connection.health.jobsRefused++
      connection.log.warn({ detail: refused, job: document.name }, 'job refused')
      return fail('deviceNotReady', `printer not ready: ${refused}`, refused)
    }
    const jobId = ++this.#jobId
    const paperMm = encoded.feedDots / this.#o.profile.dotsPerMm
    const log = connection.log.child({ jobId, job: document.name })
    log.debug({ bytes: encoded.bytes.length, paperMm }, 'job start')
    const outcome = await this.#runJob(encoded.bytes, paperMm)
    if (!outcome.ok) {
      connection.health.jobsFailed++
      log.warn({ detail: outcome.detail }, 'job failed')
      return fail(outcome.detail === 'noResponse' ? 'timeout' : 'hardwareError', outcome.message, outcome.detail)
    }
    connection.health.printed(paperMm, encoded.lines, encoded.cuts)
    const durationMs = Date.now() - started
    log.info({ durationMs, lines: encoded.lines }, 'job printed')
    return ok({ jobId, bytes: encoded.bytes.length, lines: encoded.lines, paperMm, cuts: encoded.cuts, durationMs })
  }

  /** Writes the job, then GS r 1; settles on its reply, on a stopping status, or on the time limit. */
  async #runJob(bytes: Uint8Array, paperMm: number): Promise<JobOutcome> {
    const { connection } = this.#o
    const limit = this.#o.jobTimeoutMs + (paperMm / this.#o.minSpeedMmPerS) * 1000
    let settle: (outcome: JobOutcome) => void = () => undefined
    const stopped = new Promise<JobOutcome>((resolve) => {
      settle = resolve
    })
    connection.activeJob = settle
    const done = connection.completion.expect((f) => f.type === 'transmitStatus', limit)
    let aborted = false
    try {
      const writing = (async (): Promise<void> => {
        const size = this.#o.writeChunkBytes
        for (let at = 0; at < bytes.length && !aborted; at += size) {
          if (!(await connection.send(bytes.subarray(at, at + size)))) return
        }
        if (!aborted) await connection.send(Uint8Array.of(...GS_TRANSMIT_STATUS, TRANSMIT_PAPER_STATUS))
      })()
      const confirmed = done.then((r): JobOutcome => {
        if (r.ok) return { ok: true }
        const detail = r.error.code === 'timeout' ? 'noResponse' : 'jobAborted'
        return { ok: false, detail, message: `job not confirmed: ${r.error.message}` }
      })
      const outcome = await Promise.race([confirmed, stopped])
      aborted = !outcome.ok
      await writing
      if (!outcome.ok) {
        connection.completion.cancelAll('job failed')
        // drop what the printer still holds of this job, so a new roll does not print half a receipt
        if (outcome.detail !== 'offline' && this.#o.profile.clearBuffersCommand) {
          await connection.send(Uint8Array.from(DLE_DC4_CLEAR_BUFFERS))
        }
      }
      return outcome
    } finally {
      connection.activeJob = undefined
    }
  }
}
