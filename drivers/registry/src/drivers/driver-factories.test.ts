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
})
