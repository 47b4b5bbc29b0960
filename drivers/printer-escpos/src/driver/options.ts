import type { Transport } from '@drivers/core'
import type { Logger } from 'pino'
import type { EscPosProfile, TextCodec } from '../codec/index.ts'

export interface EscPosPrinterOptions {
  transport: Transport
  /** Model profile from the registry (default: generic 80 mm). */
  profile?: EscPosProfile
  textCodec?: TextCodec
  logger?: Logger
  /** Real-time status poll while open and during jobs, ms (default 2000; 0 = ASB only). */
  pollIntervalMs?: number
  /** How long one DLE EOT reply may take, ms (default 500). */
  statusTimeoutMs?: number
  /** Fixed part of a job's time limit, ms (default 10 000); paper length adds at `minSpeedMmPerS`. */
  jobTimeoutMs?: number
  /** Slowest print speed assumed for the job time limit (default 25 mm/s). */
  minSpeedMmPerS?: number
  /** Configured roll length for the paper-remaining estimate, mm (default 50 000). */
  rollLengthMm?: number
  /** Bytes per transport write, so a stop mid-job is seen between writes (default 512). */
  writeChunkBytes?: number
  /** Reconnect after the device vanished: first delay and cap, ms (default 500 / 10 000); false = never. */
  reconnect?: { initialDelayMs: number; maxDelayMs: number } | false
  /**
   * What the model takes, from the registry definition's `update` (`configSchema`, `firmware`).
   * Absent: everything this driver can do (config keys of escpos-config.ts, firmware updates).
   */
  update?: { configSchema?: Record<string, unknown>; firmware?: boolean }
  firmwareTimings?: FirmwareTimings
}

/** Time limits of settings sessions and firmware updates, ms. */
export interface FirmwareTimings {
  /** One GS ( E / GS I reply (default 2000). */
  replyTimeoutMs?: number
  /** The bootloader's first `C`, per try (default 3000). */
  startTimeoutMs?: number
  /** ACK or NAK of one 1 KiB block before it is sent again (default 5000). */
  blockTimeoutMs?: number
  /** Retries per block (default 10, as XMODEM). */
  maxRetries?: number
  /** How long a restarting printer may stay silent (default 30 000). */
  restartTimeoutMs?: number
  /** GS I poll interval while it restarts (default 500). */
  restartPollMs?: number
}

export function validateOptions(options: EscPosPrinterOptions): void {
  const positive = (name: string, value: number | undefined, allowZero = false): void => {
    if (value === undefined) return
    if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
      throw new TypeError(`EscPosPrinterOptions.${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`)
    }
  }
  if (options.transport === undefined) throw new TypeError('EscPosPrinterOptions.transport is required')
  positive('pollIntervalMs', options.pollIntervalMs, true)
  positive('statusTimeoutMs', options.statusTimeoutMs)
  positive('jobTimeoutMs', options.jobTimeoutMs)
  positive('minSpeedMmPerS', options.minSpeedMmPerS)
  positive('rollLengthMm', options.rollLengthMm)
  positive('writeChunkBytes', options.writeChunkBytes)
  for (const [name, value] of Object.entries(options.firmwareTimings ?? {})) {
    positive(`firmwareTimings.${name}`, value as number)
  }
}
