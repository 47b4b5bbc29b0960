import {
  HID_POS_CODE_ID_OFFSET,
  HID_POS_DATA_PER_REPORT,
  HID_POS_MORE_OFFSET,
  HID_POS_PAYLOAD_SIZE,
  HID_POS_REPORT_ID,
} from './constants.ts'
import type { ScanDecodeEvent, ScanDecoder } from './decode-event.ts'
import { isAimId } from './symbology.ts'

/**
 * HID POS scanners (Usage Page 0x8C, §3.2), input report 0x02 as hidraw/node-hid deliver it, the
 * report ID first:
 *
 *   [0x02][n][AIM 3 bytes][data n bytes … up to 56][…][code ID @61][…][more @63]
 *
 * (offsets above count the report ID; payload offsets 0, 1–3, 4–59, 60 and 62 in §3.2). `n` is
 * the number of data bytes in this report. A scan longer than one report sets "more" on every
 * report but the last; data bytes are joined before text decoding, so a UTF-8 character split
 * across two reports survives.
 */
export interface HidPosDecoderOptions {
  /** Longest scan in bytes. Default 8192. */
  maxScanBytes?: number
}

export class HidPosDecoder implements ScanDecoder {
  readonly #max: number
  #parts: Uint8Array[] = []
  #size = 0
  #aimId: string | undefined
  #codeId = 0

  constructor(options: HidPosDecoderOptions = {}) {
    const max = options.maxScanBytes ?? 8192
    if (!Number.isInteger(max) || max < 1) throw new TypeError(`HidPosDecoderOptions.maxScanBytes must be positive`)
    this.#max = max
  }

  push(report: Uint8Array): ScanDecodeEvent[] {
    const payload = report.subarray(1)
    const n = payload[0] ?? 0
    const aim = String.fromCharCode(payload[1] ?? 0, payload[2] ?? 0, payload[3] ?? 0)
    if (report[0] !== HID_POS_REPORT_ID || payload.length < HID_POS_PAYLOAD_SIZE || n > HID_POS_DATA_PER_REPORT) {
      return [{ kind: 'discarded', bytes: report.slice(), reason: 'garbage' }]
    }
    const events: ScanDecodeEvent[] = []
    if (this.#size + n > this.#max) {
      events.push({ kind: 'discarded', bytes: this.#joined(), reason: 'overflow' })
      this.#clear()
      return events
    }
    if (this.#parts.length === 0) {
      this.#aimId = isAimId(aim) ? aim : undefined
      this.#codeId = payload[HID_POS_CODE_ID_OFFSET] ?? 0
    }
    this.#parts.push(payload.slice(4, 4 + n))
    this.#size += n
    if ((payload[HID_POS_MORE_OFFSET] ?? 0) !== 0) return events
    return this.flush()
  }

  flush(): ScanDecodeEvent[] {
    if (this.#parts.length === 0) return []
    const bytes = this.#joined()
    const event: ScanDecodeEvent = { kind: 'scan', bytes, codeId: this.#codeId }
    if (this.#aimId !== undefined) event.aimId = this.#aimId
    this.#clear()
    return bytes.length === 0 ? [] : [event]
  }

  reset(): ScanDecodeEvent[] {
    if (this.#parts.length === 0) return []
    const bytes = this.#joined()
    this.#clear()
    return [{ kind: 'discarded', bytes, reason: 'garbage' }]
  }

  #joined(): Uint8Array {
    const out = new Uint8Array(this.#size)
    let at = 0
    for (const p of this.#parts) {
      out.set(p, at)
      at += p.length
    }
    return out
  }

  #clear(): void {
    this.#parts = []
    this.#size = 0
    this.#aimId = undefined
    this.#codeId = 0
  }
}

/** The mirror of HidPosDecoder for emulators: scan bytes → 64-byte reports (report ID first). */
export function encodeHidPosReports(data: Uint8Array, aimId: string, codeId = 0): Uint8Array[] {
  if (!isAimId(aimId)) throw new TypeError(`aimId must look like "]Q1", got ${JSON.stringify(aimId)}`)
  if (!Number.isInteger(codeId) || codeId < 0 || codeId > 0xff) throw new TypeError('codeId must be a byte')
  const reports: Uint8Array[] = []
  for (let at = 0; at === 0 || at < data.length; at += HID_POS_DATA_PER_REPORT) {
    const part = data.subarray(at, at + HID_POS_DATA_PER_REPORT)
    const report = new Uint8Array(1 + HID_POS_PAYLOAD_SIZE)
    report[0] = HID_POS_REPORT_ID
    report[1] = part.length
    for (let i = 0; i < 3; i++) report[2 + i] = aimId.charCodeAt(i)
    report.set(part, 5)
    report[1 + HID_POS_CODE_ID_OFFSET] = codeId
    report[1 + HID_POS_MORE_OFFSET] = at + HID_POS_DATA_PER_REPORT < data.length ? 1 : 0
    reports.push(report)
  }
  return reports
}
