import { allDefinitions } from '@drivers/registry'
import { describe, expect, it } from 'vitest'
import type { PeripheralConfig } from '../config/schema.ts'
import { addressFor } from './peripheral-address.ts'

const base = {
  deviceId: 'idcard',
  deviceClass: 'idCardReader',
  vendor: 'v',
  model: 'm',
  serial: '',
  firmware: '',
} as const

describe('addressFor', () => {
  const hidReader = allDefinitions.find((d) => d.transport === 'hid' && d.match.length > 0)
  const uartReader = allDefinitions.find((d) => d.match.length === 0)

  it('prefers the configured address', () => {
    const config = { ...base, driver: 'ga467', address: '/dev/ttyUSB0' } as PeripheralConfig
    expect(addressFor(config, hidReader)).toBe('/dev/ttyUSB0')
  })

  it("uses a HID model's USB ids from the registry when no address is configured", () => {
    expect(hidReader).toBeDefined()
    const id = hidReader?.match[0]
    const expected = `hid:${id?.usbVendorId.toString(16).padStart(4, '0')}:${id?.usbProductId.toString(16).padStart(4, '0')}`
    expect(addressFor({ ...base, driver: 'ga467' } as PeripheralConfig, hidReader)).toBe(expected)
  })

  it('refuses a device that can only be found by configuration', () => {
    expect(() => addressFor({ ...base, driver: 'ga467' } as PeripheralConfig, uartReader)).toThrow(/needs an address/)
    expect(() => addressFor({ ...base, driver: 'ga467' } as PeripheralConfig, undefined)).toThrow(/needs an address/)
  })
})
