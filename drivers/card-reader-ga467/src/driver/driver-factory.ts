import { type DriverFactory, requireAddress } from '@drivers/core'
import { Ga467Reader } from './ga467-reader.ts'
import { hidReaderTransport, serialReaderTransport } from './reader-transports.ts'

/**
 * GA 467 ID-card readers: `hid:…` addresses speak SAM frames inside the model's HID wrapper, any
 * other address is a serial port or `tcp://`. Polls for cards once open; self-test asks the SAM.
 */
export const driverFactory: DriverFactory = ({ model, address, baudRate, logger }) => {
  const where = requireAddress({ model, address, logger })
  const quirks = model.quirks
  const baud = baudRate ?? model.defaults.baudRate ?? 115200
  const openTransport = where.startsWith('hid:')
    ? hidReaderTransport(where.slice(4), quirks.hidReportSize ? { reportSize: quirks.hidReportSize } : {})
    : serialReaderTransport(where, baud)
  const reader = new Ga467Reader({
    openTransport,
    baudRate: baud,
    logger,
    description: where,
    ...(quirks.pollIntervalMs ? { pollIntervalMs: quirks.pollIntervalMs } : {}),
  })
  return {
    device: reader,
    open: async () => {
      await reader.open()
      reader.startPolling()
    },
    close: () => reader.close(),
    selfTest: () => reader.getSamStatus(),
  }
}
