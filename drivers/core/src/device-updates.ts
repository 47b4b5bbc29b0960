import type { Result } from './result.ts'

/**
 * Optional capabilities a driver offers for signed updates (docs/updates.md): configuration and firmware.
 * A driver implements them beside its device-class interface; callers test with `isConfigurable` /
 * `isFirmwareUpdatable` and read `DeviceDefinition.update` in the registry for what a model takes.
 *
 * Expected outcomes are Result values with these codes:
 * - `deviceNotReady` (detail `busy`): a job or another update is running; try again later.
 * - `invalidData`: the config or image is malformed, or the DEVICE refused it (`refused`,
 *   `wrongModel`); nothing was changed.
 * - `unsupported`: this model takes no config / no firmware, or not this key.
 * - `timeout` (detail `noResponse` / `notRestarted`): the device stopped answering; never a hang.
 * - `hardwareError` (detail `disconnected`): the device vanished mid-transfer; it keeps its old
 *   firmware (bootloaders commit only a complete, verified image).
 * - `canceled`: the caller's AbortSignal fired; the transfer was cancelled on the wire too.
 */
export type DeviceUpdateFailureDetail =
  | 'busy'
  | 'notOpen'
  | 'refused'
  | 'wrongModel'
  | 'badImage'
  | 'unknownKey'
  | 'badValue'
  | 'readBackMismatch'
  | 'noResponse'
  | 'notRestarted'
  | 'disconnected'
  | 'transferFailed'
  | 'aborted'

/** A device configuration: keys and values as the model's registry `update.configSchema` defines. */
export type DeviceConfig = Record<string, unknown>

export interface ConfigurableDevice {
  /**
   * Writes every key of `config` to the device's non-volatile settings and verifies them by reading
   * back. Resolves with the keys applied. Unknown keys or values out of range are `invalidData`
   * before anything is written.
   */
  applyConfig(config: DeviceConfig): Promise<Result<{ applied: string[] }, DeviceUpdateFailureDetail>>
  /** The device's current settings, for the keys this driver knows (used to roll a config back). */
  readConfig?(): Promise<Result<DeviceConfig, DeviceUpdateFailureDetail>>
}

export interface FirmwareUpdateOptions {
  /** Fraction of the image the device has acknowledged, 0…1, called as blocks are acknowledged. */
  onProgress?: (fraction: number) => void
  /** Aborts the transfer (the device is told to cancel and keeps its old firmware). */
  signal?: AbortSignal
}

export interface FirmwareUpdatableDevice {
  /**
   * Sends `image` to the device's bootloader, waits for the device to restart and returns the
   * firmware version it reports afterwards. The image format is the driver's (see its package).
   */
  updateFirmware(
    image: Uint8Array,
    options?: FirmwareUpdateOptions,
  ): Promise<Result<{ firmware: string }, DeviceUpdateFailureDetail>>
  /** Asks the device for its firmware version now (DeviceIdentity.firmware). */
  readFirmwareVersion(): Promise<Result<string, DeviceUpdateFailureDetail>>
}

export function isConfigurable(device: unknown): device is ConfigurableDevice {
  return (
    typeof device === 'object' &&
    device !== null &&
    typeof (device as Partial<ConfigurableDevice>).applyConfig === 'function'
  )
}

export function isFirmwareUpdatable(device: unknown): device is FirmwareUpdatableDevice {
  if (typeof device !== 'object' || device === null) return false
  const candidate = device as Partial<FirmwareUpdatableDevice>
  return typeof candidate.updateFirmware === 'function' && typeof candidate.readFirmwareVersion === 'function'
}
