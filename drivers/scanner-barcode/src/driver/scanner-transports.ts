import type { Transport } from '@drivers/core'
import { HidTransport, type NodeHidImporter, openNodeHidDevice } from '@drivers/transport-hid'
import { openTransportFor } from '@drivers/transport-serial'

/** A serial scanner (`/dev/ttyACM0`, a pty) or an emulator at `tcp://host:port`; 8N1, 9600 by default (§3.3). */
export function serialScannerTransport(path: string, baudRate = 9600): () => Transport {
  return () => openTransportFor(path, { baudRate, dataBits: 8, parity: 'none', stopBits: 1 })
}

/** A HID scanner (`/dev/hidraw3`), keyboard wedge or HID POS; node-hid loads lazily. */
export function hidScannerTransport(
  hidPath: string,
  options: { reportSize?: number; importer?: NodeHidImporter } = {},
): () => Transport {
  return () =>
    new HidTransport({
      description: `hid:${hidPath}`,
      openDevice: () => openNodeHidDevice(hidPath, options.importer),
      reportSize: options.reportSize ?? 64,
    })
}
