import { isAppError } from '@drivers/core'
import { describe, expect, it } from 'vitest'
import { HidTransport } from './hid-transport.ts'
import { loadNodeHid } from './load-node-hid.ts'
import { createMemoryHidPair } from './memory-hid-device.ts'
import { listHidDevices, openNodeHidDevice } from './node-hid-device.ts'

describe('HidTransport over an in-memory HID device', () => {
  it('cuts writes into zero-padded reports and delivers each report read as a chunk', async () => {
    const { host, device } = createMemoryHidPair()
    const transport = new HidTransport({ openDevice: async () => host, reportSize: 8 })
    await transport.open()
    await transport.write(Uint8Array.from({ length: 10 }, (_, i) => i + 1))
    expect(host.written.map((r) => [...r])).toEqual([
      [1, 2, 3, 4, 5, 6, 7, 8],
      [9, 10, 0, 0, 0, 0, 0, 0],
    ])
    const chunks: number[][] = []
    transport.onData((c) => chunks.push([...c]))
    await device.write(Uint8Array.of(7, 7, 7))
    await Promise.resolve()
    expect(chunks).toEqual([[7, 7, 7]])
  })

  it('reports an unplugged device as a disconnect, once, and refuses writes after', async () => {
    const { host } = createMemoryHidPair()
    const transport = new HidTransport({ openDevice: async () => host })
    await transport.open()
    const causes: Error[] = []
    transport.onDisconnect((c) => causes.push(c))
    host.unplug()
    host.unplug()
    expect(causes).toHaveLength(1)
    expect(transport.isOpen).toBe(false)
    await expect(transport.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'ERR_DRV_TRANSPORT_CLOSED' })
  })

  it('validates the report size', () => {
    expect(() => new HidTransport({ openDevice: async () => createMemoryHidPair().host, reportSize: 0 })).toThrow(
      /reportSize/,
    )
  })
})

describe('node-hid loading', () => {
  const missingLibusb = async () => {
    throw new Error('libusb-1.0.so.0: cannot open shared object file: No such file or directory')
  }

  it('names the Debian packages when node-hid cannot load', async () => {
    const error = await loadNodeHid(missingLibusb).catch((e: unknown) => e)
    expect(isAppError(error, 'ERR_DRV_HID_UNAVAILABLE')).toBe(true)
    expect((error as Error).message).toContain('libusb-1.0-0')
    expect((error as Error).message).toContain('libudev1')
    expect((error as Error).message).toContain('libusb-1.0.so.0')
    await expect(listHidDevices(missingLibusb)).rejects.toMatchObject({ code: 'ERR_DRV_HID_UNAVAILABLE' })
    await expect(openNodeHidDevice('/dev/hidraw0', missingLibusb)).rejects.toMatchObject({
      code: 'ERR_DRV_HID_UNAVAILABLE',
    })
  })

  it('loads the binding eagerly so a missing library fails at load time', async () => {
    const fake = {
      devicesAsync: async () => [{ vendorId: 0x0400, productId: 0xc35a, path: '/dev/hidraw9', interface: 0 }],
      getHidapiVersion: () => {
        throw new Error('libudev.so.1: cannot open shared object file')
      },
      HIDAsync: { open: async () => Promise.reject(new Error('unused')) },
    }
    await expect(loadNodeHid(async () => fake)).rejects.toMatchObject({ code: 'ERR_DRV_HID_UNAVAILABLE' })
    const working = { ...fake, getHidapiVersion: () => '0.14.0' }
    expect(await listHidDevices(async () => ({ default: working }))).toEqual([
      { path: '/dev/hidraw9', vendorId: 0x0400, productId: 0xc35a, interface: 0 },
    ])
    await expect(openNodeHidDevice('/dev/hidraw9', async () => working)).rejects.toMatchObject({
      code: 'ERR_DRV_HID_OPEN_FAILED',
    })
  })

  it('opens a device by its USB ids, looked up at open time, and says when none is connected', async () => {
    const opened: string[] = []
    const binding = {
      devicesAsync: async () => [{ vendorId: 0x0400, productId: 0xc35a, path: '/dev/hidraw5', interface: 0 }],
      getHidapiVersion: () => '0.14.0',
      HIDAsync: {
        open: async (path: string) => {
          opened.push(path)
          return { on: () => undefined, write: async () => 0, close: async () => undefined }
        },
      },
    }
    const device = await openNodeHidDevice('0400:c35a', async () => binding)
    expect(opened).toEqual(['/dev/hidraw5'])
    expect(device.description).toBe('hid:/dev/hidraw5')
    await expect(openNodeHidDevice('1a86:e010', async () => binding)).rejects.toMatchObject({
      code: 'ERR_DRV_HID_OPEN_FAILED',
      message: 'no HID device 1a86:e010 is connected',
    })
  })
})
