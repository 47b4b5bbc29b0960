import { AppError, type DeviceDefinition, type DeviceIdentity, type DriverFactory } from '@drivers/core'
import type { Logger } from 'pino'
import type { PeripheralConfig } from '../config/schema.ts'
import { KioskErrorCodes } from '../errors.ts'
import { DriverPeripheral } from './driver-peripheral.ts'
import { EmulatedPeripheral } from './emulated-peripheral.ts'
import type { Peripheral } from './peripheral.ts'
import { addressFor } from './peripheral-address.ts'

/** What binding needs from the outside: the device registry and the driver table (main.ts passes both). */
export interface PeripheralBindingOptions {
  /** Registry lookup by model id (`@drivers/registry`'s `createRegistry(allDefinitions).byId`). */
  modelById: (id: string) => DeviceDefinition | undefined
  /** The driver factory a model's `driver` names (`@drivers/registry/drivers`' `driverFactoryFor`). */
  driverFor: (model: DeviceDefinition) => DriverFactory | undefined
  reopen: { initialMs: number; maxMs: number }
  logger: Logger
}

/** The model's name without a trailing note: `TM-T88V (USB id shared …)` is reported as `TM-T88V`. */
const displayModel = (model: string): string => model.replace(/\s*\(.*\)\s*$/, '') || model

function identityOf(
  config: PeripheralConfig,
  model: Pick<DeviceDefinition, 'deviceClass' | 'vendor' | 'model'> & { id?: string },
) {
  const identity: DeviceIdentity = {
    deviceClass: model.deviceClass,
    vendor: model.vendor,
    model: displayModel(model.model),
    serial: config.serial,
    firmware: config.firmware,
  }
  // An emulated status model is no registry model: it reports no model id.
  if (model.id !== undefined) identity.modelId = model.id
  if (config.hwRevision !== undefined) identity.hwRevision = config.hwRevision
  return identity
}

/**
 * The registry model a peripheral names, and its driver factory. An unknown model, or a model
 * whose driver this agent does not have, is ERR_KIOSK_DEVICE_CONFIG: never an emulator.
 */
export function resolveModel(
  config: PeripheralConfig,
  options: Pick<PeripheralBindingOptions, 'modelById' | 'driverFor'>,
): { model: DeviceDefinition; factory: DriverFactory } {
  const id = config.model
  const model = id === undefined ? undefined : options.modelById(id)
  if (model === undefined) {
    throw new AppError(
      KioskErrorCodes.deviceConfig,
      `peripheral ${config.deviceId}: no model ${String(id)} in the device registry (drivers/registry/models)`,
    )
  }
  const factory = options.driverFor(model)
  if (factory === undefined) {
    throw new AppError(
      KioskErrorCodes.deviceConfig,
      `peripheral ${config.deviceId}: model ${model.id} names driver ${model.driver}, which this agent does not have`,
    )
  }
  return { model, factory }
}

/**
 * Builds every configured peripheral: the registry model's driver, made by its factory, at the
 * configured address; an in-process status model for an explicit `emulated` one. Nothing is
 * opened here; `Peripheral.start()` opens.
 */
export function bindPeripherals(
  peripherals: readonly PeripheralConfig[],
  options: PeripheralBindingOptions,
): Peripheral[] {
  return peripherals.map((p): Peripheral => {
    if (p.emulated !== undefined) {
      return new EmulatedPeripheral({ ...p.emulated, deviceId: p.deviceId, identity: identityOf(p, p.emulated) })
    }
    const { model, factory } = resolveModel(p, options)
    const bound = factory({
      model,
      address: addressFor(p, model),
      ...(p.baudRate === undefined ? {} : { baudRate: p.baudRate }),
      ...(p.statusPollMs === undefined ? {} : { statusPollMs: p.statusPollMs }),
      ...(p.rollLengthMm === undefined ? {} : { rollLengthMm: p.rollLengthMm }),
      ...(p.trayCapacitySheets === undefined ? {} : { trayCapacitySheets: p.trayCapacitySheets }),
      logger: options.logger.child({ deviceId: p.deviceId, model: model.id }),
    })
    const { selfTest, printTestPage, poll } = bound
    return new DriverPeripheral({
      deviceId: p.deviceId,
      identity: identityOf(p, model),
      device: bound.device,
      open: () => bound.open(),
      close: () => bound.close(),
      ...(poll ? { poll: { everyMs: poll.everyMs, run: () => poll.run() } } : {}),
      ...(selfTest ? { selfTest: () => selfTest.call(bound) } : {}),
      ...(printTestPage ? { printTestPage: () => printTestPage.call(bound) } : {}),
      reopen: options.reopen,
      logger: options.logger,
    })
  })
}
