import type {
  BarcodeReader,
  CardReader,
  DeviceClass,
  DocumentPrinter,
  DocumentScanner,
  ReceiptPrinter,
  SocialSecurityCardReader,
} from '@drivers/core'
import { Listeners } from '@drivers/core'
import { type DriverDevice, DriverPeripheral } from './driver-peripheral.ts'
import type { Peripheral } from './peripheral.ts'

export interface DeviceManagerOptions {
  peripherals: Peripheral[]
}

/**
 * Owns the kiosk's peripherals: starts (opens) and stops them, keeps one status model each (the
 * peripheral's own), hands the flow engine the device services by class, and tells listeners
 * whenever any status changes (service availability follows, catalogue/service-availability.ts).
 */
export class DeviceManager {
  readonly peripherals: Peripheral[]
  readonly #changed = new Listeners<[peripheral: Peripheral]>()
  readonly #offs: (() => void)[] = []

  constructor(options: DeviceManagerOptions) {
    this.peripherals = options.peripherals
  }

  async start(): Promise<void> {
    for (const p of this.peripherals) {
      this.#offs.push(p.onStatusChanged(() => this.#changed.emit(p)))
      await p.start()
    }
  }

  async stop(): Promise<void> {
    for (const off of this.#offs.splice(0)) off()
    for (const p of this.peripherals) await p.stop()
  }

  /** Called after any peripheral's status changed. */
  onChanged(listener: (peripheral: Peripheral) => void): () => void {
    return this.#changed.on(listener)
  }

  byId(deviceId: string): Peripheral | undefined {
    return this.peripherals.find((p) => p.deviceId === deviceId)
  }

  cardReader(): CardReader | undefined {
    return this.#device<CardReader & DriverDevice>('idCardReader')
  }

  receiptPrinter(): ReceiptPrinter | undefined {
    return this.#device<ReceiptPrinter & DriverDevice>('receiptPrinter')
  }

  barcodeReader(): BarcodeReader | undefined {
    return this.#device<BarcodeReader & DriverDevice>('barcodeScanner')
  }

  socialSecurityCardReader(): SocialSecurityCardReader | undefined {
    return this.#device<SocialSecurityCardReader & DriverDevice>('smartCardReader')
  }

  documentScanner(): DocumentScanner | undefined {
    return this.#device<DocumentScanner & DriverDevice>('documentScanner')
  }

  documentPrinter(): DocumentPrinter | undefined {
    return this.#device<DocumentPrinter & DriverDevice>('documentPrinter')
  }

  /** The device service of the first driver-backed peripheral of a class. */
  #device<T extends DriverDevice>(deviceClass: DeviceClass): T | undefined {
    const p = this.peripherals.find((x) => x.identity.deviceClass === deviceClass && x instanceof DriverPeripheral)
    return p instanceof DriverPeripheral ? (p.device as T) : undefined
  }
}
