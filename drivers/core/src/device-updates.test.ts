import { describe, expect, it } from 'vitest'
import { isConfigurable, isFirmwareUpdatable } from './device-updates.ts'
import { ok } from './result.ts'

describe('device update capability guards', () => {
  it('tells configurable and firmware-updatable drivers from plain ones', () => {
    const plain = { open: async () => undefined }
    const configurable = { applyConfig: async () => ok({ applied: [] }) }
    const flashable = { updateFirmware: async () => ok({ firmware: '1' }), readFirmwareVersion: async () => ok('1') }
    expect(isConfigurable(plain)).toBe(false)
    expect(isConfigurable(configurable)).toBe(true)
    expect(isFirmwareUpdatable(configurable)).toBe(false)
    expect(isFirmwareUpdatable(flashable)).toBe(true)
    expect(isFirmwareUpdatable({ updateFirmware: () => undefined })).toBe(false)
    expect(isConfigurable(null)).toBe(false)
    expect(isFirmwareUpdatable(undefined)).toBe(false)
  })
})
