import { AppError, DriverErrorCodes, Listeners, type Transport } from '@drivers/core'
import { PrinterErrorCodes } from '../errors.ts'
import { USB_CLASS_PRINTER, type WebUsbConnectionEvent, type WebUsbDeviceLike, type WebUsbLike } from './web-usb.ts'

export interface UsbPrinterTransportOptions {
  vendorId: number
  productId: number
  /** WebUSB implementation; default: npm `usb`, loaded on first open. */
  usb?: WebUsbLike
  /** Bytes asked for per bulk IN transfer (default 64, the full-speed packet size). */
  readSize?: number
}

/** Loads npm `usb` lazily, so kiosks without USB printers never load a native module. */
export async function loadWebUsb(): Promise<WebUsbLike> {
  try {
    const mod = (await import('usb')) as unknown as { usb: WebUsbLike }
    return mod.usb
  } catch (err) {
    throw new AppError(
      PrinterErrorCodes.usbUnavailable,
      `USB printing is unavailable: the optional usb package could not be loaded (${(err as Error).message}). ` +
        'Install the Debian package libudev1 (apt-get install libudev1), then run npm install again.',
      {
        cause: err,
      },
    )
  }
}

/**
 * A Transport to a USB printer-class device (interface class 7, bidirectional): bulk OUT carries
 * ESC/POS, bulk IN brings status bytes back. For printers that are not a serial/CDC device, such as
 * Epson TM and most Chinese 58 mm models. On Linux the kernel's usblp driver must not hold the
 * interface (unbind it, or blacklist usblp for the kiosk).
 */
export class UsbPrinterTransport implements Transport {
  readonly description: string
  readonly #options: UsbPrinterTransportOptions
  readonly #data = new Listeners<[Uint8Array]>()
  readonly #disconnect = new Listeners<[Error]>()
  #usb: WebUsbLike | undefined
  #device: WebUsbDeviceLike | undefined
  #interface = 0
  #outEndpoint = 0
  #inEndpoint: number | undefined
  #closing = false
  readonly #onUsbDisconnect = (event: WebUsbConnectionEvent): void => {
    if (event.device === this.#device) this.#lost(new Error(`${this.description} unplugged`))
  }

  constructor(options: UsbPrinterTransportOptions) {
    for (const key of ['vendorId', 'productId'] as const) {
      const v = options[key]
      if (!Number.isInteger(v) || v <= 0 || v > 0xffff)
        throw new TypeError(`UsbPrinterTransportOptions.${key} must be 1–0xffff`)
    }
    this.#options = options
    const hex = (n: number): string => n.toString(16).padStart(4, '0')
    this.description = `usb:${hex(options.vendorId)}:${hex(options.productId)}`
  }

  get isOpen(): boolean {
    return this.#device !== undefined
  }

  async open(): Promise<void> {
    if (this.#options.usb === undefined && this.#usb === undefined) this.#usb = await loadWebUsb()
    const usb = this.#options.usb ?? this.#usb
    if (usb === undefined) throw new AppError(PrinterErrorCodes.usbUnavailable, 'no WebUSB implementation')
    let device: WebUsbDeviceLike | undefined
    try {
      device = await usb.findDeviceByIds(this.#options.vendorId, this.#options.productId)
      if (device === undefined) throw new Error('no such device attached')
      await device.open()
      if (!device.configuration) await device.selectConfiguration(1)
      const printer = device.configuration?.interfaces.find((i) => i.alternate.interfaceClass === USB_CLASS_PRINTER)
      const out = printer?.alternate.endpoints.find((e) => e.direction === 'out' && e.type === 'bulk')
      if (printer === undefined || out === undefined)
        throw new Error('no printer-class interface with a bulk OUT endpoint')
      await device.claimInterface(printer.interfaceNumber)
      this.#interface = printer.interfaceNumber
      this.#outEndpoint = out.endpointNumber
      this.#inEndpoint = printer.alternate.endpoints.find(
        (e) => e.direction === 'in' && e.type === 'bulk',
      )?.endpointNumber
    } catch (err) {
      await device?.close().catch(() => undefined)
      throw new AppError(
        DriverErrorCodes.transportOpenFailed,
        `cannot open ${this.description}: ${(err as Error).message}`,
        {
          cause: err,
        },
      )
    }
    this.#closing = false
    this.#device = device
    usb.addEventListener('disconnect', this.#onUsbDisconnect)
    this.#usb = usb
    void this.#readLoop(device)
  }

  async write(bytes: Uint8Array): Promise<void> {
    const device = this.#device
    if (device === undefined) throw new AppError(DriverErrorCodes.transportClosed, `${this.description} is not open`)
    try {
      const result = await device.transferOut(this.#outEndpoint, Uint8Array.from(bytes))
      if (result.status !== 'ok') throw new Error(`bulk OUT ${result.status}`)
    } catch (err) {
      this.#lost(err as Error)
      throw new AppError(DriverErrorCodes.transportClosed, `${this.description}: ${(err as Error).message}`, {
        cause: err,
      })
    }
  }

  async close(): Promise<void> {
    const device = this.#device
    if (device === undefined) return
    this.#closing = true
    this.#device = undefined
    this.#usb?.removeEventListener('disconnect', this.#onUsbDisconnect)
    await device.releaseInterface(this.#interface).catch(() => undefined)
    await device.close().catch(() => undefined)
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.#data.on(listener)
  }

  onDisconnect(listener: (cause: Error) => void): () => void {
    return this.#disconnect.on(listener)
  }

  /** Bulk IN transfers one after another; a failure while open means the device is gone. */
  async #readLoop(device: WebUsbDeviceLike): Promise<void> {
    const endpoint = this.#inEndpoint
    if (endpoint === undefined) return
    while (this.#device === device) {
      try {
        const result = await device.transferIn(endpoint, this.#options.readSize ?? 64)
        if (this.#device !== device) return
        if (result.status !== 'ok') throw new Error(`bulk IN ${result.status}`)
        const data = result.data
        if (data && data.byteLength > 0) {
          this.#data.emit(new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)))
        }
      } catch (err) {
        if (this.#device === device) this.#lost(err as Error)
        return
      }
    }
  }

  #lost(cause: Error): void {
    if (this.#closing || this.#device === undefined) return
    const device = this.#device
    this.#device = undefined
    this.#usb?.removeEventListener('disconnect', this.#onUsbDisconnect)
    void device.close().catch(() => undefined)
    this.#disconnect.emit(cause)
  }
}
