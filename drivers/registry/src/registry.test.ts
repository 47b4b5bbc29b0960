import { isAppError } from '@drivers/core'
import { describe, expect, it } from 'vitest'
import type { DeviceDefinition } from './definition.ts'
import { allDefinitions } from './definitions.ts'
import { createRegistry } from './find-definition.ts'
import { definitionProblems, validateDefinitions } from './validate.ts'

describe('device registry', () => {
  it('every entry validates and every USB matcher is unique', () => {
    for (const def of allDefinitions) expect(definitionProblems(def)).toEqual([])
    expect(() => validateDefinitions(allDefinitions)).not.toThrow()
  })

  it('has at least two real ID-card reader models with USB ids', () => {
    const readers = allDefinitions.filter((d) => d.deviceClass === 'idCardReader' && d.match.length > 0)
    expect(readers.length).toBeGreaterThanOrEqual(2)
  })

  it('finds a definition from serialport hex strings or node-hid numbers', () => {
    const registry = createRegistry(allDefinitions)
    expect(registry.findDefinition({ vendorId: '0400', productId: 'c35a' })?.id).toBe('shensi-ss628')
    expect(registry.findDefinition({ vendorId: 0x9573, productId: 0x4836 })?.id).toBe('yishu-idcard-reader')
    expect(registry.findDefinition({ vendorId: '0403', productId: '6001' })).toBeUndefined()
    expect(registry.findDefinition({ path: '/dev/ttyS0' })).toBeUndefined()
    expect(registry.findDefinition({ vendorId: 'zz', productId: '1' })).toBeUndefined()
    expect(registry.byId('generic-sam-v-uart')?.transport).toBe('serial')
  })

  it('rejects duplicate USB ids, duplicate ids and malformed entries, listing every problem', () => {
    const base = allDefinitions.find((d) => d.id === 'shensi-ss628')!
    const clash: DeviceDefinition = { ...base, id: 'other-reader' }
    const broken = {
      ...base,
      id: 'Bad Id',
      match: [{ usbVendorId: 0, usbProductId: 1 }],
      quirks: { hidWrapper: 'miaxis', sparkles: true },
    } as unknown as DeviceDefinition
    const error = (() => {
      try {
        validateDefinitions([base, clash, base, broken])
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(isAppError(error, 'ERR_DRV_REGISTRY_INVALID')).toBe(true)
    const problems = (error as { context: { problems: string[] } }).context.problems
    expect(problems.join('\n')).toMatch(/claimed by shensi-ss628 and other-reader/)
    expect(problems.join('\n')).toMatch(/used 2 times/)
    expect(problems.join('\n')).toMatch(/kebab-case/)
    expect(problems.join('\n')).toMatch(/unknown quirk sparkles/)
    expect(problems.join('\n')).toMatch(/usbVendorId/)
  })

  it('needs a baud rate for serial devices and a matcher for HID ones', () => {
    const serial = allDefinitions.find((d) => d.id === 'generic-sam-v-uart')!
    expect(definitionProblems({ ...serial, defaults: {} })).toEqual([
      'definition "generic-sam-v-uart": a serial device needs defaults.baudRate',
    ])
    const hid = allDefinitions.find((d) => d.transport === 'hid')!
    expect(definitionProblems({ ...hid, match: [] })[0]).toMatch(/at least one USB matcher/)
  })

  it('needs a full roll length for receipt printers and a tray capacity for document printers', () => {
    const receipt = allDefinitions.find((d) => d.id === 'epson-tm-t20ii')!
    expect(definitionProblems({ ...receipt, defaults: {} })).toEqual([
      'definition "epson-tm-t20ii": a receipt printer needs defaults.rollLengthMm',
    ])
    const a4 = allDefinitions.find((d) => d.id === 'generic-ipp-everywhere')!
    expect(definitionProblems({ ...a4, defaults: {} })).toEqual([
      'definition "generic-ipp-everywhere": a document printer needs defaults.trayCapacitySheets',
    ])
  })
})

describe('update support', () => {
  const base = allDefinitions.find((d) => d.id === 'xprinter-xp-t58h') as DeviceDefinition

  it('ESC/POS printers the emulator stands in for take config and firmware', () => {
    const registry = createRegistry(allDefinitions)
    for (const id of ['xprinter-xp-t58h', 'epson-tm-t88v', 'epson-tm-t20ii']) {
      const update = registry.byId(id)?.update
      expect(update?.firmware).toBe(true)
      expect(update?.hwRevisions?.length).toBeGreaterThan(0)
      expect(Object.keys((update?.configSchema?.properties ?? {}) as object)).toEqual([
        'printDensity',
        'printSpeed',
        'codePage',
        'memorySwitches',
      ])
    }
    expect(registry.byId('gprinter-gp-58mbiii')?.update?.firmware).toBeUndefined()
    const scanner = registry.byId('honeywell-xenon-1900-rs232')?.update
    expect(Object.keys((scanner?.configSchema?.properties ?? {}) as object)).toEqual(['beeper', 'beeperVolume'])
    expect(scanner?.firmware).toBeUndefined()
  })

  it('a config schema accepts good settings and refuses bad ones', async () => {
    const { default: Ajv } = await import('ajv')
    const validate = new Ajv().compile(base.update?.configSchema as object)
    expect(validate({ printDensity: 85, printSpeed: 3, memorySwitches: { '2': '20100002' } })).toBe(true)
    expect(validate({ printSpeed: 9 })).toBe(false)
    expect(validate({ printDensity: 72 })).toBe(false)
    expect(validate({ autoCut: true })).toBe(false)
    expect(validate({})).toBe(false)
  })

  it('rejects a schema that does not compile, unknown update keys and firmware without revisions', () => {
    const broken = {
      ...base,
      update: { configSchema: { type: 'object', properties: { a: { type: 'nonsense' } } }, firmware: true, sparkle: 1 },
    } as unknown as DeviceDefinition
    const problems = definitionProblems(broken).join('\n')
    expect(problems).toMatch(/configSchema does not compile/)
    expect(problems).toMatch(/unknown update.sparkle/)
    expect(problems).toMatch(/needs update.hwRevisions/)
    const notObject = { ...base, update: { configSchema: { type: 'string' } } } as DeviceDefinition
    expect(definitionProblems(notObject).join('\n')).toMatch(/must describe an object/)
  })
})
