import { AppError, Listeners } from '@drivers/core'
import { HidErrorCodes } from './hid-errors.ts'
import type { HidDeviceInfo, HidReportDevice } from './hid-report-device.ts'
import { isUsbIdSelector, resolveHidSelector } from './hid-selector.ts'
import { loadNodeHid, type NodeHidAsync, type NodeHidImporter } from './load-node-hid.ts'

/** Lists HID devices through node-hid (loaded lazily; throws ERR_DRV_HID_UNAVAILABLE). */
export async function listHidDevices(importer?: NodeHidImporter): Promise<HidDeviceInfo[]> {
  const hid = await loadNodeHid(importer)
  const devices = await hid.devicesAsync()
  return devices
    .filter((d) => d.path !== undefined)
    .map((d) => {
      const info: HidDeviceInfo = {
        path: d.path!,
        vendorId: d.vendorId,
        productId: d.productId,
        interface: d.interface,
      }
      if (d.manufacturer) info.manufacturer = d.manufacturer
      if (d.product) info.product = d.product
      if (d.serialNumber) info.serialNumber = d.serialNumber
      if (d.usagePage !== undefined) info.usagePage = d.usagePage
      return info
    })
}

/**
 * Opens a HID device as a HidReportDevice, by path (`/dev/hidraw3`) or by USB ids (`0400:c35a`,
 * optionally `:interface`), which are looked up at every open so a replugged device is found again.
 */
export async function openNodeHidDevice(selector: string, importer?: NodeHidImporter): Promise<HidReportDevice> {
  const hid = await loadNodeHid(importer)
  const path = isUsbIdSelector(selector) ? resolveHidSelector(selector, await listHidDevices(importer)) : selector
  if (path === undefined) {
    throw new AppError(HidErrorCodes.openFailed, `no HID device ${selector} is connected`, { context: { selector } })
  }
  let device: NodeHidAsync
  try {
    device = await hid.HIDAsync.open(path)
  } catch (cause) {
    throw new AppError(HidErrorCodes.openFailed, `cannot open HID device ${path}: ${(cause as Error).message}`, {
      cause,
      context: { path },
    })
  }
  return new NodeHidReportDevice(path, device)
}

class NodeHidReportDevice implements HidReportDevice {
  readonly description: string
  readonly #device: NodeHidAsync
  readonly #reports = new Listeners<[Uint8Array]>()
  readonly #errors = new Listeners<[Error]>()

  constructor(path: string, device: NodeHidAsync) {
    this.description = `hid:${path}`
    this.#device = device
    device.on('data', (data) => this.#reports.emit(new Uint8Array(data.buffer, data.byteOffset, data.length)))
    device.on('error', (err) => this.#errors.emit(err))
  }

  async write(report: Uint8Array): Promise<void> {
    // hidapi wants the report ID first; 0 for devices without numbered reports.
    await this.#device.write([0, ...report])
  }

  async close(): Promise<void> {
    await this.#device.close()
  }

  onReport(listener: (report: Uint8Array) => void): () => void {
    return this.#reports.on(listener)
  }

  onError(listener: (cause: Error) => void): () => void {
    return this.#errors.on(listener)
  }
}
