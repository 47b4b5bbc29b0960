import type { DeviceClass, DeviceStatus } from '@drivers/core'
import { describe, expect, it } from 'vitest'
import { EmulatedPeripheral } from '../devices/emulated-peripheral.ts'
import { computeAvailability } from './availability.ts'
import { servicesFor } from './service-catalog.ts'

function peripheral(deviceId: string, deviceClass: DeviceClass, status: DeviceStatus = { state: 'online' }) {
  return new EmulatedPeripheral({
    deviceId,
    identity: { deviceClass, vendor: 'v', model: 'm', serial: '', firmware: '' },
    initialStatus: status,
  })
}

describe('service availability', () => {
  const comprehensive = () => [
    peripheral('idcard', 'idCardReader'),
    peripheral('receipt', 'receiptPrinter'),
    peripheral('a4', 'documentPrinter'),
    peripheral('qr', 'barcodeScanner'),
    peripheral('scanner', 'documentScanner'),
    peripheral('sscard', 'smartCardReader'),
  ]

  it('a receipt printer out of paper blocks exactly the services that print receipts', () => {
    const devices = comprehensive()
    devices[1]?.setStatus({ state: 'online', paper: 'out' })
    const result = computeAvailability(servicesFor('comprehensive'), devices)
    const unavailable = result.filter((s) => !s.available)
    expect(unavailable.map((s) => s.serviceId).sort()).toEqual(['id-receipt', 'tax-invoice'])
    expect(unavailable.every((s) => s.blockedBy.join() === 'receipt')).toBe(true)
    expect(result.find((s) => s.serviceId === 'license-print')?.available).toBe(true)
  })

  it('social security identifies by social-security card when the ID reader is down', () => {
    const devices = [
      peripheral('idcard', 'idCardReader', { state: 'hardwareError', errorCode: 'samFault' }),
      peripheral('sscard', 'smartCardReader'),
      peripheral('a4', 'documentPrinter'),
    ]
    expect(computeAvailability(servicesFor('social-security'), devices)).toEqual([
      { serviceId: 'ss-certificate', available: true, blockedBy: [] },
    ])
    devices[1]?.setStatus({ state: 'noDevice' })
    expect(computeAvailability(servicesFor('social-security'), devices)).toEqual([
      { serviceId: 'ss-certificate', available: false, blockedBy: ['idcard', 'sscard'] },
    ])
  })

  it('a service whose peripheral is missing entirely is unavailable', () => {
    const result = computeAvailability(servicesFor('id'), [peripheral('idcard', 'idCardReader')])
    expect(result).toEqual([
      { serviceId: 'id-progress', available: true, blockedBy: [] },
      { serviceId: 'id-receipt', available: false, blockedBy: [] },
    ])
  })
})
