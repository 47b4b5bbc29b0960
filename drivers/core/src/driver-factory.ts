import type { Logger } from 'pino'
import type { DeviceDefinition } from './device-definition.ts'
import type { DeviceCounters, DeviceStatus } from './device-status.ts'
import { AppError, DriverErrorCodes } from './errors.ts'
import type { Result } from './result.ts'

/** What the kiosk needs from any device service, whatever its class. */
export interface DriverDevice {
  readonly description: string
  getStatus(): DeviceStatus
  getCounters(): DeviceCounters
  on(event: 'statusChanged', listener: (next: DeviceStatus, previous: DeviceStatus) => void): () => void
}

/** Everything a driver factory gets: the registry model, where the device is, and the peripheral's overrides. */
export interface DriverContext {
  /** The registry definition the kiosk config named. */
  model: DeviceDefinition
  /**
   * Where the device is: a serial path, `tcp://host:port`, `hid:/dev/hidrawN`, `hid:VVVV:PPPP`,
   * `usb:VVVV:PPPP`, an IPP URL, a PC/SC reader name or a SANE device name. Undefined only for
   * drivers that find the device themselves (PC/SC: the first reader).
   */
  address: string | undefined
  /** The peripheral's own baud rate, over the model's default. */
  baudRate?: number
  /** How often a device that never reports by itself is asked, ms. */
  statusPollMs?: number
  /** This unit's paper roll length (receipt printers), mm, over the model's default. */
  rollLengthMm?: number
  /** This unit's tray capacity (A4 printers), sheets, over the model's default. */
  trayCapacitySheets?: number
  logger: Logger
}

/**
 * A device service made ready for the kiosk's device manager: how to open and close it, how to
 * ask it when it does not report by itself, and its self-test and test page when it has them.
 */
export interface BoundDriver<D extends DriverDevice = DriverDevice> {
  device: D
  /** Opens the device (throws when it is not there); the driver reconnects by itself afterwards. */
  open(): Promise<void>
  close(): Promise<void>
  /** Devices that never report (IPP, SANE) are asked at this period; a returned status replaces theirs. */
  poll?: { everyMs: number; run(): Promise<DeviceStatus | unknown> }
  /** The driver's own self-test (reader: SAM status; printer: real-time status). */
  selfTest?(): Promise<Result<unknown>>
  /** The model's test page (receipt printers). */
  printTestPage?(): Promise<Result<unknown>>
}

/** Each driver package exports one: the registry's `driver` field picks it. */
export type DriverFactory = (context: DriverContext) => BoundDriver

/** The context's address, for drivers that cannot find the device without one. */
export function requireAddress(context: DriverContext): string {
  if (context.address !== undefined) return context.address
  throw new AppError(DriverErrorCodes.invalidOption, `model ${context.model.id} needs an address`)
}
