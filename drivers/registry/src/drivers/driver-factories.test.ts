import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { allDefinitions } from '../definitions.ts'
import { driverFactories, driverFactoryFor } from './driver-factories.ts'

describe('driver factories', () => {
  it('every model names a driver some package provides', () => {
    for (const def of allDefinitions) expect(driverFactoryFor(def), `${def.id} → ${def.driver}`).toBeTypeOf('function')
  })

  it('every driver package in the table is used by at least one model', () => {
    const used = new Set(allDefinitions.map((d) => d.driver))
    for (const id of Object.keys(driverFactories)) expect(used.has(id), id).toBe(true)
  })

  it('an unknown driver id has no factory, also for names on the object prototype', () => {
    expect(driverFactoryFor({ driver: 'printer-laser' })).toBeUndefined()
    expect(driverFactoryFor({ driver: 'constructor' })).toBeUndefined()
  })

  it('a factory builds the device service without opening it', () => {
    const model = allDefinitions.find((d) => d.id === 'generic-escpos-80mm')
    if (model === undefined) throw new Error('generic-escpos-80mm missing')
    const bound = driverFactoryFor(model)?.({ model, address: 'tcp://127.0.0.1:9', logger: pino({ level: 'silent' }) })
    expect(bound?.device.description).toBe('escpos:tcp://127.0.0.1:9')
    expect(bound?.device.getStatus()).toEqual({ state: 'offline' })
    expect(typeof bound?.printTestPage).toBe('function')
  })

  it("starts a printer's paper-left estimate at the model's full roll or tray, or the unit's own", () => {
    const logger = pino({ level: 'silent' })
    const build = (id: string, address: string, unit: { rollLengthMm?: number; trayCapacitySheets?: number } = {}) => {
      const model = allDefinitions.find((d) => d.id === id)
      if (model === undefined) throw new Error(`${id} missing`)
      return driverFactoryFor(model)?.({ model, address, logger, ...unit }).device.getCounters()
    }
    expect(build('epson-tm-t20ii', 'tcp://127.0.0.1:9')?.paperRemainingMm).toBe(75_000)
    expect(build('gprinter-gp-58mbiii', 'tcp://127.0.0.1:9')?.paperRemainingMm).toBe(28_000)
    expect(build('epson-tm-t20ii', 'tcp://127.0.0.1:9', { rollLengthMm: 40_000 })?.paperRemainingMm).toBe(40_000)
    expect(build('generic-ipp-everywhere', 'ipp://127.0.0.1:9/ipp/print')?.sheetsRemaining).toBe(250)
    expect(
      build('generic-ipp-everywhere', 'ipp://127.0.0.1:9/ipp/print', { trayCapacitySheets: 550 })?.sheetsRemaining,
    ).toBe(550)
  })
})
