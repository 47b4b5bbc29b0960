import type { BarcodeSymbology } from '@drivers/core'
import type { HidReportDevice } from '@drivers/transport-hid'
import { aimIdFor, encodeHidPosReports, honeywellCodeIdFor } from '../codec/index.ts'

export interface HidPosScannerEmulatorOptions {
  /** The device end of a HID report pair. */
  device: HidReportDevice
}

/** A HID POS scanner (Honeywell layout of report 0x02, §3.2): scans as one or more 64-byte reports. */
export class HidPosScannerEmulator {
  /** Output reports the host sent (e.g. Honeywell `FD 03 16 54 0D` trigger). */
  readonly received: Uint8Array[] = []
  readonly #device: HidReportDevice
  readonly #off: () => void

  constructor(options: HidPosScannerEmulatorOptions) {
    this.#device = options.device
    this.#off = this.#device.onReport((report) => this.received.push(report))
  }

  reportsFor(text: string, symbology: BarcodeSymbology = 'qrCode'): Uint8Array[] {
    return encodeHidPosReports(new TextEncoder().encode(text), aimIdFor(symbology), honeywellCodeIdFor(symbology))
  }

  async scan(text: string, symbology: BarcodeSymbology = 'qrCode'): Promise<void> {
    await this.sendReports(this.reportsFor(text, symbology))
  }

  async sendReports(reports: readonly Uint8Array[]): Promise<void> {
    for (const report of reports) await this.#device.write(report)
  }

  stop(): void {
    this.#off()
  }
}
