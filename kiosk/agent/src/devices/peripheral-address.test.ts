import { allDefinitions } from '@drivers/registry'
import { describe, expect, it } from 'vitest'
import type { PeripheralConfig } from '../config/schema.ts'
import { addressFor } from './peripheral-address.ts'

const base = { deviceId: 'idcard', serial: '', firmware: '' } as const

describe('addressFor', () => {
  const hidReader = allDefinitions.find((d) => d.transport === 'hid' && d.match.length > 0)
  const uartReader = allDefinitions.find((d) => d.id === 'generic-sam-v-uart')
  const pcscReader = allDefinitions.find((d) => d.transport === 'pcsc')
  if (!hidReader || !uartReader || !pcscReader) throw new Error('registry lacks the models this test needs')

  it('prefers the configured address', () => {
    const config = { ...base, model: hidReader.id, address: '/dev/ttyUSB0' } as PeripheralConfig
    expect(addressFor(config, hidReader)).toBe('/dev/ttyUSB0')
  })

  it("uses a HID model's USB ids from the registry when no address is configured", () => {
    const id = hidReader.match[0]
    const expected = `hid:${id?.usbVendorId.toString(16).padStart(4, '0')}:${id?.usbProductId.toString(16).padStart(4, '0')}`
    expect(addressFor({ ...base, model: hidReader.id } as PeripheralConfig, hidReader)).toBe(expected)
  })

  it('refuses a device that can only be found by configuration', () => {
    expect(() => addressFor({ ...base, model: uartReader.id } as PeripheralConfig, uartReader)).toThrow(
      /needs an address/,
    )
  })

  it('lets a PC/SC reader go without one (the first reader)', () => {
    expect(addressFor({ ...base, model: pcscReader.id } as PeripheralConfig, pcscReader)).toBeUndefined()
  })
})
