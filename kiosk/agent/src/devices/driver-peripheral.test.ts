import { type DeviceCounters, type DeviceStatus, DeviceStatusModel } from '@drivers/core'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type DriverDevice, DriverPeripheral } from './driver-peripheral.ts'

/** A device service whose open fails until `plugged`: what a reader unplugged at boot looks like to the manager. */
class BootDevice implements DriverDevice {
  readonly description = 'test:/dev/ttyUSB9'
  readonly model = new DeviceStatusModel({ state: 'offline' })
  plugged = false
  opens = 0
  getStatus(): DeviceStatus {
    return this.model.status
  }
  getCounters(): DeviceCounters {
    return { reads: 0 }
  }
  on(_event: 'statusChanged', listener: (next: DeviceStatus, previous: DeviceStatus) => void): () => void {
    return this.model.onChanged(listener)
  }
  async open(): Promise<void> {
    this.opens += 1
    if (!this.plugged) throw new Error('ENOENT /dev/ttyUSB9')
    this.model.set({ state: 'online' })
  }
}

describe('driver-backed peripheral', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  const make = (device: BootDevice) =>
    new DriverPeripheral({
      deviceId: 'idcard',
      identity: { deviceClass: 'idCardReader', vendor: 'v', model: 'm', serial: '', firmware: '' },
      device,
      open: (d) => d.open(),
      close: async () => undefined,
      reopen: { initialMs: 100, maxMs: 400 },
      logger: pino({ level: 'silent' }),
    })

  it('reports noDevice while the device is missing at boot, retrying with a doubling backoff up to the cap', async () => {
    const device = new BootDevice()
    const p = make(device)
    const seen: DeviceStatus[] = []
    p.onStatusChanged((next) => seen.push(next))
    await p.start()
    expect(p.status()).toEqual({ state: 'noDevice', errorCode: 'openFailed' })
    await vi.advanceTimersByTimeAsync(100) // 2nd try
    await vi.advanceTimersByTimeAsync(200) // 3rd
    await vi.advanceTimersByTimeAsync(400) // 4th
    await vi.advanceTimersByTimeAsync(399)
    expect(device.opens).toBe(4)
    await vi.advanceTimersByTimeAsync(1) // 5th, the cap holds at 400
    expect(device.opens).toBe(5)
    device.plugged = true
    await vi.advanceTimersByTimeAsync(400)
    expect(p.status()).toEqual({ state: 'online' })
    expect(p.isOpen).toBe(true)
    expect(seen.map((s) => s.state)).toEqual(['noDevice', 'online'])
    expect(p.counters()).toMatchObject({ openAttempts: 6, reads: 0 })
    await p.stop()
  })

  it("follows the driver's own status once open (unplug and replug seen by the driver)", async () => {
    const device = new BootDevice()
    device.plugged = true
    const p = make(device)
    await p.start()
    device.model.set({ state: 'noDevice', errorCode: 'disconnected' })
    expect(p.status()).toEqual({ state: 'noDevice', errorCode: 'disconnected' })
    device.model.set({ state: 'online' })
    expect(p.status()).toEqual({ state: 'online' })
    await p.stop()
    expect(p.status()).toEqual({ state: 'offline' })
  })
})
