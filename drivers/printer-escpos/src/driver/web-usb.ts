/**
 * The part of WebUSB (W3C) the USB printer transport needs. npm `usb` (node-usb) exports an
 * object implementing it (`import { usb } from 'usb'`); tests inject a fake backed by the emulator.
 */
export interface WebUsbEndpointLike {
  endpointNumber: number
  direction: 'in' | 'out'
  type: 'bulk' | 'interrupt' | 'isochronous'
}

export interface WebUsbInterfaceLike {
  interfaceNumber: number
  alternate: { interfaceClass: number; endpoints: WebUsbEndpointLike[] }
}

export interface WebUsbDeviceLike {
  readonly vendorId: number
  readonly productId: number
  readonly serialNumber?: string | undefined
  readonly configuration: { interfaces: WebUsbInterfaceLike[] } | null | undefined
  open(): Promise<void>
  close(): Promise<void>
  selectConfiguration(configurationValue: number): Promise<void>
  claimInterface(interfaceNumber: number): Promise<void>
  releaseInterface(interfaceNumber: number): Promise<void>
  transferOut(endpointNumber: number, data: Uint8Array<ArrayBuffer>): Promise<{ status: string; bytesWritten: number }>
  transferIn(endpointNumber: number, length: number): Promise<{ status: string; data?: DataView | undefined }>
}

export interface WebUsbConnectionEvent {
  device: WebUsbDeviceLike
}

export interface WebUsbLike {
  findDeviceByIds(vendorId: number, productId: number): Promise<WebUsbDeviceLike | undefined>
  addEventListener(type: 'disconnect', listener: (event: WebUsbConnectionEvent) => void): void
  removeEventListener(type: 'disconnect', listener: (event: WebUsbConnectionEvent) => void): void
}

/** USB class code of printers (USB Device Class Definition for Printing Devices 1.1). */
export const USB_CLASS_PRINTER = 0x07
