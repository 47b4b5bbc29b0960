import type { DeviceStatus, PrinterFailureDetail } from '@drivers/core'

/**
 * printer-state + printer-state-reasons (RFC 8011 §5.4.11–12, PWG 5100.9 keywords) read as
 * XFS4IoT peripheral status. A reason may carry a severity suffix: `-report` and `-warning` leave
 * the printer usable, `-error` (or no suffix) stops it.
 */
export interface IppPrinterState {
  state: 'idle' | 'processing' | 'stopped' | 'unknown'
  reasons: string[]
  acceptingJobs: boolean
}

function splitReason(reason: string): { keyword: string; severity: 'report' | 'warning' | 'error' } {
  const match = /^(.*)-(report|warning|error)$/.exec(reason)
  if (match?.[1] && match[2]) return { keyword: match[1], severity: match[2] as 'report' | 'warning' | 'error' }
  return { keyword: reason, severity: 'error' }
}

export function ippToDeviceStatus(printer: IppPrinterState): DeviceStatus {
  const stopping = new Set<string>()
  const informing = new Set<string>()
  for (const reason of printer.reasons) {
    if (reason === 'none') continue
    const { keyword, severity } = splitReason(reason)
    if (severity === 'error') stopping.add(keyword)
    else informing.add(keyword)
  }
  const has = (k: string): boolean => stopping.has(k)
  const paper = has('media-jam')
    ? 'jammed'
    : has('media-empty') || has('media-needed')
      ? 'out'
      : has('media-low') || informing.has('media-low') || informing.has('media-empty')
        ? 'low'
        : 'full'
  const cover = has('door-open') || has('cover-open') ? 'open' : 'closed'
  const base = { paper, cover } as const
  if (has('media-jam')) return { state: 'userError', ...base, errorCode: 'mediaJam' }
  if (cover === 'open') return { state: 'userError', ...base, errorCode: 'coverOpen' }
  if (paper === 'out') return { state: 'userError', ...base, errorCode: 'mediaEmpty' }
  if (has('toner-empty') || has('marker-supply-empty')) return { state: 'userError', ...base, errorCode: 'tonerEmpty' }
  if (has('offline') || has('shutdown') || has('paused')) return { state: 'offline', ...base }
  const other = [...stopping].find((k) => k !== 'moving-to-paused' && k !== 'other')
  if (other !== undefined) return { state: 'hardwareError', ...base, errorCode: other }
  if (printer.state === 'stopped' || !printer.acceptingJobs) return { state: 'offline', ...base }
  if (printer.state === 'processing') return { state: 'busy', ...base }
  return { state: 'online', ...base }
}

/** Why a new job should not be sent now, or undefined when the printer can take it. */
export function blockingDetail(status: DeviceStatus): PrinterFailureDetail | undefined {
  if (status.paper === 'jammed') return 'paperJam'
  if (status.cover === 'open') return 'coverOpen'
  if (status.paper === 'out') return 'paperOut'
  if (status.state === 'offline' || status.state === 'noDevice') return 'offline'
  if (status.state === 'hardwareError' || status.state === 'userError') return 'headError'
  return undefined
}
