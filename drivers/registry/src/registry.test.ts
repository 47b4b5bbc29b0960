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
    const base = allDefinitions[0]!
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
    const serial = allDefinitions.find((d) => d.transport === 'serial')!
    expect(definitionProblems({ ...serial, defaults: {} })).toEqual([
      'definition "generic-sam-v-uart": a serial device needs defaults.baudRate',
    ])
    const hid = allDefinitions.find((d) => d.transport === 'hid')!
    expect(definitionProblems({ ...hid, match: [] })[0]).toMatch(/at least one USB matcher/)
  })
})
