import { AppError, type DeviceDefinition } from '@drivers/core'
import type { PeripheralConfig } from '../config/schema.ts'
import { KioskErrorCodes } from '../errors.ts'

const hex4 = (n: number) => n.toString(16).padStart(4, '0')

/**
 * Where to open a peripheral: its configured address, or — for a USB model with no address — its
 * USB ids from the registry (`hid:0400:c35a`, `usb:04b8:0202`), which the transports look up at
 * every open, so a replugged device on a new node is found again. A PC/SC reader may go without
 * one (the first reader). Anything else without an address is a configuration error.
 */
export function addressFor(config: PeripheralConfig, model: DeviceDefinition): string | undefined {
  if (config.address !== undefined) return config.address
  const id = model.match[0]
  if (id !== undefined && (model.transport === 'hid' || model.transport === 'usb')) {
    return `${model.transport}:${hex4(id.usbVendorId)}:${hex4(id.usbProductId)}`
  }
  if (model.transport === 'pcsc') return undefined
  throw new AppError(
    KioskErrorCodes.deviceConfig,
    `peripheral ${config.deviceId}: model ${model.id} needs an address (${model.transport})`,
  )
}
