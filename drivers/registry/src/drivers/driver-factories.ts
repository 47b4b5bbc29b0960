import { driverFactory as cardReaderGa467 } from '@drivers/card-reader-ga467'
import type { DeviceDefinition, DriverFactory } from '@drivers/core'
import { driverFactory as printerEscpos } from '@drivers/printer-escpos'
import { driverFactory as printerIpp } from '@drivers/printer-ipp'
import { driverFactory as scannerBarcode } from '@drivers/scanner-barcode'
import { driverFactory as scannerSane } from '@drivers/scanner-sane'
import { driverFactory as smartcardPcsc } from '@drivers/smartcard-pcsc'

/**
 * Driver id (a model file's `driver`, the driver package's folder name) → the factory that
 * package exports. A new driver package adds one line here; a new model of an existing driver
 * adds none.
 */
export const driverFactories: Readonly<Record<string, DriverFactory>> = Object.freeze({
  'card-reader-ga467': cardReaderGa467,
  'printer-escpos': printerEscpos,
  'printer-ipp': printerIpp,
  'scanner-barcode': scannerBarcode,
  'scanner-sane': scannerSane,
  'smartcard-pcsc': smartcardPcsc,
})

/** The factory a model's `driver` names; undefined when no driver package provides it. */
export function driverFactoryFor(
  model: Pick<DeviceDefinition, 'driver'>,
  factories: Readonly<Record<string, DriverFactory>> = driverFactories,
): DriverFactory | undefined {
  return Object.hasOwn(factories, model.driver) ? factories[model.driver] : undefined
}
