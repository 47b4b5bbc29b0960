import type { Transport } from '@drivers/core'
import { HidTransport, type NodeHidImporter, openNodeHidDevice } from '@drivers/transport-hid'
import { openTransportFor } from '@drivers/transport-serial'
import { SamOverHidTransport } from '../hid/sam-over-hid-transport.ts'

/** A serial reader (`/dev/ttyUSB0`, a pty) or an emulator at `tcp://host:port`, 8N1. */
export function serialReaderTransport(path: string, baudRate: number): () => Transport {
  return () => openTransportFor(path, { baudRate, dataBits: 8, parity: 'none', stopBits: 1 })
}

/** A HID reader (`/dev/hidraw3`) speaking SAM frames inside the vendor wrapper; node-hid loads lazily. */
export function hidReaderTransport(
  hidPath: string,
  options: { reportSize?: number; importer?: NodeHidImporter } = {},
): () => Transport {
  return () =>
    new SamOverHidTransport({
      side: 'host',
      inner: new HidTransport({
        description: `hid:${hidPath}`,
        openDevice: () => openNodeHidDevice(hidPath, options.importer),
        ...(options.reportSize === undefined ? {} : { reportSize: options.reportSize }),
      }),
    })
}
