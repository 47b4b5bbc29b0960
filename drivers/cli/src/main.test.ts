import { AppError } from '@drivers/core'
import { allDefinitions, createRegistry } from '@drivers/registry'
import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import type { CliContext } from './cli-context.ts'
import { registerListCommand } from './commands/list.ts'
import { main } from './main.ts'

function capture() {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) } }
}

describe('kiosk-devices main', () => {
  it('prints help with the exit codes and returns 0', async () => {
    const c = capture()
    expect(await main(['node', 'kiosk-devices', '--help'], c.io)).toBe(0)
    expect(c.out.join('')).toContain('Exit codes:')
    expect(c.out.join('')).toContain('idcard')
  })

  it('returns 2 for bad arguments', async () => {
    const c = capture()
    expect(await main(['node', 'kiosk-devices', 'idcard', 'read', '--port', '/dev/x', '--baud', 'fast'], c.io)).toBe(2)
    expect(c.err.join('')).toMatch(/--baud must be a positive integer/)
    expect(await main(['node', 'kiosk-devices', 'idcard', 'read'], c.io)).toBe(2)
    expect(c.err.join('')).toMatch(/exactly one of --port PATH or --hid PATH/)
  })

  it('returns 4 with advice when the port cannot be opened', async () => {
    const c = capture()
    expect(await main(['node', 'kiosk-devices', 'idcard', 'read', '--port', '/dev/does-not-exist'], c.io)).toBe(4)
    expect(c.err.join('')).toMatch(/cannot open \/dev\/does-not-exist.*kiosk-devices list/)
  })
})

describe('kiosk-devices list', () => {
  it('matches ports against the registry and explains a missing HID library', async () => {
    const c = capture()
    const ctx: CliContext = {
      ...c.io,
      logger: () => {
        throw new Error('unused')
      },
      untilStopped: () => Promise.resolve(),
    }
    const program = new Command().exitOverride()
    registerListCommand(program, ctx, {
      registry: createRegistry(allDefinitions),
      listSerial: async () => ({
        ports: [{ path: '/dev/ttyUSB0', vendorId: '0400', productId: 'c35a' }, { path: '/dev/ttyS0' }],
        note: 'udev listing failed (spawn udevadm ENOENT); scanned /dev',
      }),
      listHid: async () => {
        throw new AppError('ERR_DRV_HID_UNAVAILABLE', 'install libusb-1.0-0 and libudev1')
      },
    })
    await program.parseAsync(['node', 'x', 'list'])
    const text = c.out.join('')
    expect(text).toMatch(/\/dev\/ttyUSB0\s+0400:c35a\s+Shensi \(神思\) SS628-100 series \[shensi-ss628\]/)
    expect(text).toContain('(unavailable) install libusb-1.0-0')
    expect(c.err.join('')).toContain('note: udev listing failed')
    c.out.length = 0
    await program.parseAsync(['node', 'x', 'list', '--json'])
    const json = JSON.parse(c.out.join(''))
    expect(json.serial[0]).toMatchObject({ path: '/dev/ttyUSB0', definition: 'shensi-ss628' })
    expect(json.notes).toHaveLength(2)
  })
})
