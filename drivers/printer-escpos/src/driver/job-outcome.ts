import type { DeviceStatus, PrinterFailureDetail } from '@drivers/core'

/** How a job in flight ended: confirmed by the printer, or stopped with a reason. */
export type JobOutcome = { ok: true } | { ok: false; detail: PrinterFailureDetail; message: string }

/** Which status stops a job, and how to name it. */
export function blockingDetail(status: DeviceStatus): PrinterFailureDetail | undefined {
  if (status.state === 'noDevice') return 'offline'
  if (status.cover === 'open') return 'coverOpen'
  if (status.paper === 'out') return 'paperOut'
  if (status.errorCode === 'cutterError') return 'cutterError'
  if (status.state === 'hardwareError') return 'headError'
  if (status.state === 'offline') return 'offline'
  return undefined
}
