import { type DriverFactory, requireAddress } from '@drivers/core'
import { IppPrinter } from './ipp-printer.ts'

/** IPP Everywhere printers at an `ipp://` / `ipps://` URL: asked for their state, since IPP never reports by itself. */
export const driverFactory: DriverFactory = (context) => {
  const trayCapacitySheets = context.trayCapacitySheets ?? context.model.defaults.trayCapacitySheets
  const printer = new IppPrinter({
    url: requireAddress(context),
    logger: context.logger,
    requestTimeoutMs: 5000,
    ...(trayCapacitySheets === undefined ? {} : { trayCapacitySheets }),
  })
  return {
    device: printer,
    open: async () => {
      await printer.refreshStatus()
    },
    close: async () => undefined,
    poll: { everyMs: context.statusPollMs ?? 5000, run: () => printer.refreshStatus() },
  }
}
