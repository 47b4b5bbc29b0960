import type { BarcodeScan } from '@drivers/core'
import { BarcodeScannerDriver, serialScannerTransport } from '@drivers/scanner-barcode'
import { SerialScannerEmulator } from '@drivers/scanner-barcode/emulator'
import { SerialTransport } from '@drivers/transport-serial'
import { afterEach, describe, expect, it } from 'vitest'
import { createPtyPair } from '../support/pty.ts'
import { waitFor } from '../support/wait-for.ts'

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

describe('Honeywell serial scanner configuration over a real pty', () => {
  it('applies beeper settings with menu commands at 9600 baud, refuses bad values, and keeps scanning', async () => {
    const pty = await createPtyPair()
    cleanup.push(() => pty.close())
    const emulator = new SerialScannerEmulator({
      transport: new SerialTransport({ path: pty.deviceEnd, baudRate: 9600 }),
      chunkSize: 2,
    })
    await emulator.start()
    cleanup.push(() => emulator.stop())
    const driver = new BarcodeScannerDriver({
      mode: 'serial',
      openTransport: serialScannerTransport(pty.hostEnd, 9600),
      menuConfig: true,
    })
    const scans: BarcodeScan[] = []
    driver.on('scanned', (s) => scans.push(s))
    await driver.open()
    cleanup.push(() => driver.close())

    expect(await driver.applyConfig({ beeper: true, beeperVolume: 'low' })).toEqual({
      ok: true,
      value: { applied: ['beeper', 'beeperVolume'] },
    })
    expect(emulator.settings.get('BEPLVL')).toBe('1')
    expect(await driver.applyConfig({ beeperVolume: 'deafening' })).toMatchObject({
      ok: false,
      error: { code: 'invalidData' },
    })
    await emulator.scan('SB2026112400123', 'code128')
    await waitFor('a scan', () => scans.length === 1)
    expect(scans[0]?.data).toBe('SB2026112400123')
  })
})
