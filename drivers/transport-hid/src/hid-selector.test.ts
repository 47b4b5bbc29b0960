import { describe, expect, it } from 'vitest'
import type { HidDeviceInfo } from './hid-report-device.ts'
import { isUsbIdSelector, resolveHidSelector } from './hid-selector.ts'

const devices: HidDeviceInfo[] = [
  { path: '/dev/hidraw0', vendorId: 0x046d, productId: 0xc31c, interface: 0 },
  { path: '/dev/hidraw3', vendorId: 0x0400, productId: 0xc35a, interface: 0 },
  { path: '/dev/hidraw4', vendorId: 0x0400, productId: 0xc35a, interface: 1 },
]

describe('HID selectors', () => {
  it.each([
    ['/dev/hidraw7', '/dev/hidraw7'],
    ['0400:c35a', '/dev/hidraw3'],
    ['0400:C35A', '/dev/hidraw3'],
    ['0400:c35a:1', '/dev/hidraw4'],
    ['0400:c35a:2', undefined],
    ['1a86:e010', undefined],
  ])('%s → %s', (selector, path) => {
    expect(resolveHidSelector(selector, devices)).toBe(path)
  })

  it('tells USB ids from paths', () => {
    expect(isUsbIdSelector('0400:c35a')).toBe(true)
    expect(isUsbIdSelector('/dev/hidraw3')).toBe(false)
    expect(isUsbIdSelector('400:c35a')).toBe(false)
  })
})
