import { AppError } from '@drivers/core'
import type { DeviceDefinition } from '@drivers/registry'
import type { PeripheralConfig } from '../config/schema.ts'
import { KioskErrorCodes } from '../errors.ts'

const hex4 = (n: number) => n.toString(16).padStart(4, '0')

/**
 * Where to open a peripheral: its configured address, or — for a USB model named by `registryId`
 * with no address — its USB ids from the registry (`hid:0400:c35a`, `usb:04b8:0202`), which the
 * transports look up at every open, so a replugged device on a new node is found again.
 */
export function addressFor(config: PeripheralConfig, definition: DeviceDefinition | undefined): string {
  if (config.address !== undefined) return config.address
  const id = definition?.match[0]
  if (id !== undefined && (definition?.transport === 'hid' || definition?.transport === 'usb')) {
    return `${definition.transport}:${hex4(id.usbVendorId)}:${hex4(id.usbProductId)}`
  }
  throw new AppError(
    KioskErrorCodes.deviceConfig,
    `peripheral ${config.deviceId}: driver ${config.driver} needs an address (or a USB model's registryId)`,
  )
}
