import type { Result } from '@drivers/core'
import type { Peripheral } from './peripheral.ts'

/**
 * What a driver may offer for updates (docs/updates.md): `applyConfig` for config artifacts,
 * `updateFirmware` for firmware. Structural, so the agent does not depend on which drivers have them.
 */
export interface DeviceUpdateCapabilities {
  applyConfig?: (config: Record<string, unknown>) => Promise<Result<{ applied: string[] }>>
  updateFirmware?: (
    image: Uint8Array,
    options?: { onProgress?: (fraction: number) => void },
  ) => Promise<Result<{ firmware: string }>>
  /** The device's current settings, so a first configuration can be rolled back. */
  readConfig?: () => Promise<Result<Record<string, unknown>>>
}

/**
 * The update capabilities of a peripheral: its own methods (emulated peripherals) or its driver's
 * (a DriverPeripheral's `device`), bound to the object that has them. Absent ones stay absent.
 */
export function updateCapabilitiesOf(peripheral: Peripheral): DeviceUpdateCapabilities {
  const own = peripheral as Peripheral & DeviceUpdateCapabilities & { device?: unknown }
  const device = (typeof own.device === 'object' && own.device !== null ? own.device : {}) as DeviceUpdateCapabilities
  const pick = <K extends keyof DeviceUpdateCapabilities>(key: K): DeviceUpdateCapabilities[K] => {
    if (typeof own[key] === 'function') return (own[key] as (...a: never[]) => unknown).bind(own) as never
    if (typeof device[key] === 'function') return (device[key] as (...a: never[]) => unknown).bind(device) as never
    return undefined
  }
  const caps: DeviceUpdateCapabilities = {}
  const applyConfig = pick('applyConfig')
  const updateFirmware = pick('updateFirmware')
  const readConfig = pick('readConfig')
  if (applyConfig) caps.applyConfig = applyConfig
  if (updateFirmware) caps.updateFirmware = updateFirmware
  if (readConfig) caps.readConfig = readConfig
  return caps
}
