import { type DriverDevice, isAppError } from '@drivers/core'
import { allDefinitions, createRegistry } from '@drivers/registry'
import { driverFactoryFor } from '@drivers/registry/drivers'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import type { PeripheralConfig } from '../config/schema.ts'
import { bindPeripherals, type PeripheralBindingOptions } from './bind-peripherals.ts'
import { DriverPeripheral } from './driver-peripheral.ts'
import { EmulatedPeripheral } from './emulated-peripheral.ts'

const registry = createRegistry(allDefinitions)
const options: PeripheralBindingOptions = {
  modelById: (id) => registry.byId(id),
  driverFor: (model) => driverFactoryFor(model),
  reopen: { initialMs: 100, maxMs: 1000 },
  logger: pino({ level: 'silent' }),
}
const peripheral = (p: Partial<PeripheralConfig> & { deviceId: string }): PeripheralConfig => ({
  serial: '',
  firmware: '',
  ...p,
})

function codeOf(run: () => unknown): string | undefined {
  try {
    run()
  } catch (err) {
    return isAppError(err) ? `${err.code}: ${err.message}` : String(err)
  }
  return undefined
}

describe('binding peripherals by registry model', () => {
  it('takes class, vendor and model from the registry and the label data from the config', () => {
    const [printer] = bindPeripherals(
      [peripheral({ deviceId: 'receipt', model: 'epson-tm-t88v', address: 'tcp://127.0.0.1:9', hwRevision: 'M244A' })],
      options,
    )
    expect(printer).toBeInstanceOf(DriverPeripheral)
    expect(printer?.identity).toEqual({
      deviceClass: 'receiptPrinter',
      vendor: 'Epson',
      model: 'TM-T88V',
      modelId: 'epson-tm-t88v',
      serial: '',
      firmware: '',
      hwRevision: 'M244A',
    })
    expect((printer as DriverPeripheral<never>).device).toMatchObject({ description: 'escpos:tcp://127.0.0.1:9' })
  })

  it("hands a unit's own roll length and tray capacity to its driver (the paper forecast's full roll or tray)", () => {
    const [receipt, a4] = bindPeripherals(
      [
        peripheral({
          deviceId: 'receipt',
          model: 'epson-tm-t20ii',
          address: 'tcp://127.0.0.1:9',
          rollLengthMm: 30_000,
        }),
        peripheral({
          deviceId: 'a4',
          model: 'generic-ipp-everywhere',
          address: 'ipp://127.0.0.1:9/ipp/print',
          trayCapacitySheets: 500,
        }),
      ],
      options,
    )
    expect((receipt as DriverPeripheral<DriverDevice>).device.getCounters()).toMatchObject({ paperRemainingMm: 30_000 })
    expect((a4 as DriverPeripheral<DriverDevice>).device.getCounters()).toMatchObject({ sheetsRemaining: 500 })
  })

  it('opens a USB model at its registry ids when no address is given', () => {
    const [reader] = bindPeripherals([peripheral({ deviceId: 'idcard', model: 'shensi-ss628' })], options)
    expect((reader as DriverPeripheral<never>).device).toMatchObject({ description: 'hid:0400:c35a' })
  })

  it('an unknown model, a model without a driver, or a missing address is ERR_KIOSK_DEVICE_CONFIG, never an emulator', () => {
    expect(codeOf(() => bindPeripherals([peripheral({ deviceId: 'x', model: 'acme-nothing' })], options))).toMatch(
      /^ERR_KIOSK_DEVICE_CONFIG: peripheral x: no model acme-nothing in the device registry/,
    )
    const noDriver = { ...options, driverFor: () => undefined }
    expect(
      codeOf(() =>
        bindPeripherals([peripheral({ deviceId: 'x', model: 'generic-sam-v-uart', address: '/dev/x' })], noDriver),
      ),
    ).toMatch(
      /^ERR_KIOSK_DEVICE_CONFIG: peripheral x: model generic-sam-v-uart names driver card-reader-ga467, which this agent does not have/,
    )
    expect(
      codeOf(() => bindPeripherals([peripheral({ deviceId: 'x', model: 'generic-sam-v-uart' })], options)),
    ).toMatch(/^ERR_KIOSK_DEVICE_CONFIG: peripheral x: model generic-sam-v-uart needs an address/)
  })

  it('builds an in-process status model only when the config asks for one', () => {
    const [camera] = bindPeripherals(
      [
        peripheral({
          deviceId: 'camera',
          serial: 'C1',
          emulated: { deviceClass: 'camera', vendor: 'demo', model: 'emulated', initialStatus: { state: 'busy' } },
        }),
      ],
      options,
    )
    expect(camera).toBeInstanceOf(EmulatedPeripheral)
    expect(camera?.identity).toEqual({
      deviceClass: 'camera',
      vendor: 'demo',
      model: 'emulated',
      serial: 'C1',
      firmware: '',
    })
    expect(camera?.status()).toEqual({ state: 'busy' })
  })
})
