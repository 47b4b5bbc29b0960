import type { DeviceStatus, DocumentScannerFailureDetail, FailureCode } from '@drivers/core'

/**
 * SANE_Status (sane.h) as scanimage reports it: its exit code is the status number, and its
 * stderr line is `scanimage: sane_<call>: <sane_strstatus text>` (docs/device-protocols.md §4,
 * [verified] JAMMED → exit 6, NO_DOCS → 7, COVER_OPEN → 8).
 */
export type SaneStatusName =
  | 'good'
  | 'unsupported'
  | 'cancelled'
  | 'deviceBusy'
  | 'inval'
  | 'eof'
  | 'jammed'
  | 'noDocs'
  | 'coverOpen'
  | 'ioError'
  | 'noMem'
  | 'accessDenied'

export const SANE_STATUS_BY_CODE: readonly SaneStatusName[] = [
  'good',
  'unsupported',
  'cancelled',
  'deviceBusy',
  'inval',
  'eof',
  'jammed',
  'noDocs',
  'coverOpen',
  'ioError',
  'noMem',
  'accessDenied',
]

/** sane_strstatus texts (sane-backends sanei/sane_strstatus.c). */
const STATUS_TEXT: [RegExp, SaneStatusName][] = [
  [/document feeder jammed/i, 'jammed'],
  [/document feeder out of documents/i, 'noDocs'],
  [/scanner cover is open/i, 'coverOpen'],
  [/error during device i\/o/i, 'ioError'],
  [/device busy/i, 'deviceBusy'],
  [/access to resource has been denied/i, 'accessDenied'],
  [/out of memory/i, 'noMem'],
  [/operation was cancell?ed/i, 'cancelled'],
  [/operation not supported/i, 'unsupported'],
  [/invalid argument/i, 'inval'],
]

export interface SaneFailure {
  status: SaneStatusName
  code: FailureCode
  detail: DocumentScannerFailureDetail
  message: string
  /** What the device status becomes. */
  deviceStatus: DeviceStatus
}

/** Reads scanimage's exit code and stderr; the text wins when it names a status (exit 1 is generic). */
export function saneStatusOf(exitCode: number, stderr: string): SaneStatusName {
  if (/open of device .* failed/i.test(stderr)) return /access/i.test(stderr) ? 'accessDenied' : 'inval'
  for (const [pattern, name] of STATUS_TEXT) if (pattern.test(stderr)) return name
  return SANE_STATUS_BY_CODE[exitCode] ?? 'ioError'
}

/** A failed scan as a Result failure plus the device status it implies. */
export function saneFailure(exitCode: number, stderr: string): SaneFailure {
  const status = saneStatusOf(exitCode, stderr)
  const openFailed = /open of device .* failed/i.test(stderr)
  const line = lastMessage(stderr)
  switch (status) {
    case 'jammed':
      return {
        status,
        code: 'hardwareError',
        detail: 'mediaJam',
        message: 'the document feeder is jammed (卡纸)',
        deviceStatus: { state: 'userError', media: 'jammed', errorCode: 'mediaJam' },
      }
    case 'noDocs':
      return {
        status,
        code: 'deviceNotReady',
        detail: 'noMedia',
        message: 'no documents in the feeder (请放入文件)',
        deviceStatus: { state: 'online', media: 'notPresent' },
      }
    case 'coverOpen':
      return {
        status,
        code: 'deviceNotReady',
        detail: 'coverOpen',
        message: 'the scanner cover is open',
        deviceStatus: { state: 'userError', cover: 'open', errorCode: 'coverOpen' },
      }
    case 'deviceBusy':
      return { status, code: 'deviceNotReady', detail: 'deviceBusy', message: line, deviceStatus: { state: 'busy' } }
    case 'accessDenied':
      return {
        status,
        code: 'deviceNotReady',
        detail: 'accessDenied',
        message: line,
        deviceStatus: { state: 'hardwareError', errorCode: 'accessDenied' },
      }
    case 'cancelled':
      return {
        status,
        code: 'canceled',
        detail: 'canceled',
        message: 'scan canceled',
        deviceStatus: { state: 'online' },
      }
    case 'inval':
      if (openFailed) {
        return {
          status,
          code: 'deviceNotReady',
          detail: 'noDevice',
          message: line,
          deviceStatus: { state: 'noDevice', errorCode: 'noDevice' },
        }
      }
      return { status, code: 'commandError', detail: 'invalidOption', message: line, deviceStatus: { state: 'online' } }
    case 'unsupported':
      return { status, code: 'unsupported', detail: 'invalidOption', message: line, deviceStatus: { state: 'online' } }
    default:
      return {
        status,
        code: 'hardwareError',
        detail: 'ioError',
        message: line,
        deviceStatus: { state: 'hardwareError', errorCode: 'ioError' },
      }
  }
}

function lastMessage(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('scanimage:'))
  return lines.at(-1) ?? (stderr.trim() || 'scanimage failed')
}
