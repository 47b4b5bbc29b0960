/**
 * One open HID device at the level of reports: what node-hid's HIDAsync gives, and what an
 * in-memory device gives tests. Reports carry no report-ID byte here; the node-hid adapter adds it.
 */
export interface HidReportDevice {
  readonly description: string
  write(report: Uint8Array): Promise<void>
  close(): Promise<void>
  onReport(listener: (report: Uint8Array) => void): () => void
  /** Read errors mean the device is gone (unplugged). */
  onError(listener: (cause: Error) => void): () => void
}

/** What lists and opens HID devices (node-hid in production, a memory bus in tests). */
export interface HidDeviceInfo {
  path: string
  vendorId: number
  productId: number
  manufacturer?: string
  product?: string
  serialNumber?: string
  usagePage?: number
  interface?: number
}
