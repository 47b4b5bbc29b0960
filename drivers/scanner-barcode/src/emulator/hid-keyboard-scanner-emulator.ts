import type { HidReportDevice } from '@drivers/transport-hid'
import {
  encodeKeyboardReports,
  KEYBOARD_LAYOUTS,
  type KeyboardLayout,
  type KeyboardLayoutName,
  type KeyboardSuffix,
} from '../codec/index.ts'

export interface HidKeyboardScannerEmulatorOptions {
  /** The device end of a HID report pair (`createMemoryHidPair().device`). */
  device: HidReportDevice
  layout?: KeyboardLayoutName | KeyboardLayout
  suffix?: KeyboardSuffix
}

/** A keyboard-wedge scanner: types each scan as press/release boot reports, then the suffix key (§3.1). */
export class HidKeyboardScannerEmulator {
  readonly #device: HidReportDevice
  readonly #layout: KeyboardLayout
  readonly #suffix: KeyboardSuffix

  constructor(options: HidKeyboardScannerEmulatorOptions) {
    this.#device = options.device
    const layout = options.layout ?? 'us'
    this.#layout = typeof layout === 'string' ? KEYBOARD_LAYOUTS[layout] : layout
    this.#suffix = options.suffix ?? 'enter'
  }

  /** The reports one scan produces (throws TypeError for characters the layout cannot type). */
  reportsFor(text: string): Uint8Array[] {
    return encodeKeyboardReports(text, this.#layout, this.#suffix)
  }

  async scan(text: string): Promise<void> {
    await this.sendReports(this.reportsFor(text))
  }

  /** Raw reports, for fault injection (wrong sizes, rollover errors, unknown keys). */
  async sendReports(reports: readonly Uint8Array[]): Promise<void> {
    for (const report of reports) await this.#device.write(report)
  }
}
