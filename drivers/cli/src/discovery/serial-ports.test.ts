import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { listSerialPorts } from './serial-ports.ts'

describe('serial port discovery', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  /** A fake /dev and /sys: ttyUSB0 is a USB serial adapter 0400:c35a, ttyS0 a legacy UART. */
  function fakeSystem() {
    const root = mkdtempSync(join(tmpdir(), 'discovery-'))
    dirs.push(root)
    const dev = join(root, 'dev')
    const sys = join(root, 'sys')
    mkdirSync(join(dev, 'serial', 'by-id'), { recursive: true })
    for (const n of ['ttyUSB0', 'ttyS10', 'ttyS2', 'ttyACM1', 'tty0', 'null']) writeFileSync(join(dev, n), '')
    symlinkSync('../../ttyUSB0', join(dev, 'serial', 'by-id', 'usb-Shensi_Reader_123-if00-port0'))
    const usbDevice = join(sys, 'devices', 'usb1', '1-1')
    const iface = join(usbDevice, '1-1:1.0', 'ttyUSB0')
    mkdirSync(iface, { recursive: true })
    writeFileSync(join(usbDevice, 'idVendor'), '0400\n')
    writeFileSync(join(usbDevice, 'idProduct'), 'c35a\n')
    writeFileSync(join(usbDevice, 'manufacturer'), 'Shensi\n')
    mkdirSync(join(sys, 'class', 'tty', 'ttyUSB0'), { recursive: true })
    symlinkSync(iface, join(sys, 'class', 'tty', 'ttyUSB0', 'device'))
    return { dev, sys }
  }

  it('falls back to scanning /dev and sysfs when udevadm is missing, and says so', async () => {
    const { dev, sys } = fakeSystem()
    const missingUdevadm = async () => {
      throw Object.assign(new Error('spawn udevadm ENOENT'), { code: 'ENOENT' })
    }
    const listing = await listSerialPorts({ list: missingUdevadm, devDir: dev, sysDir: sys })
    expect(listing.note).toMatch(/udevadm ENOENT.*scanned/)
    expect(listing.ports).toEqual([
      { path: join(dev, 'ttyACM1') },
      { path: join(dev, 'ttyS2') },
      { path: join(dev, 'ttyS10') },
      {
        path: join(dev, 'ttyUSB0'),
        byId: join(dev, 'serial', 'by-id', 'usb-Shensi_Reader_123-if00-port0'),
        vendorId: '0400',
        productId: 'c35a',
        manufacturer: 'Shensi',
      },
    ])
  })

  it('uses the udev listing when it works, adding by-id aliases', async () => {
    const { dev, sys } = fakeSystem()
    const listing = await listSerialPorts({
      list: async () => [{ path: join(dev, 'ttyUSB0'), vendorId: '0400', productId: 'C35A', manufacturer: 'Shensi' }],
      devDir: dev,
      sysDir: sys,
    })
    expect(listing.note).toBeUndefined()
    expect(listing.ports[0]).toMatchObject({ productId: 'c35a', byId: expect.stringContaining('by-id') })
  })
})
