import { type BarcodeScan, createMemoryTransportPair, isConfigurable } from '@drivers/core'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeMenuCommand, encodeMenuReply, parseMenuReply, planHoneywellConfig } from '../codec/index.ts'
import { SerialScannerEmulator } from '../emulator/index.ts'
import { BarcodeScannerDriver } from './barcode-scanner-driver.ts'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function bench(menuConfig = true) {
  const pair = createMemoryTransportPair('scanner')
  const emulator = new SerialScannerEmulator({ transport: pair.device })
  await emulator.start()
  const driver = new BarcodeScannerDriver({
    mode: 'serial',
    openTransport: () => pair.host,
    menuConfig,
    menuTimeoutMs: 200,
  })
  const scans: BarcodeScan[] = []
  driver.on('scanned', (s) => scans.push(s))
  await driver.open()
  cleanups.push(() => driver.close())
  return { driver, emulator, scans }
}

describe('Honeywell menu commands', () => {
  it('encodes commands and parses replies', () => {
    expect(Buffer.from(encodeMenuCommand(['BEPLVL2', 'BEPBEP1'])).toString('latin1')).toBe('\x16M\rBEPLVL2;BEPBEP1.')
    const reply = encodeMenuReply([
      { command: 'BEPLVL2', status: 'ack' },
      { command: 'XXXXXX1', status: 'enq' },
    ])
    expect(parseMenuReply(reply)).toEqual([
      { command: 'BEPLVL2', status: 'ack' },
      { command: 'XXXXXX1', status: 'enq' },
    ])
    expect(planHoneywellConfig({ beeper: false, beeperVolume: 'low' })).toEqual({
      ok: true,
      keys: ['beeper', 'beeperVolume'],
      commands: ['BEPBEP0', 'BEPLVL1'],
    })
    expect(planHoneywellConfig({ beeperVolume: 'loud', x: 1 })).toMatchObject({ ok: false, unknownKeys: ['x'] })
  })

  it('the driver applies a config the emulated scanner acknowledges, and scans keep flowing', async () => {
    const { driver, emulator, scans } = await bench()
    expect(isConfigurable(driver)).toBe(true)
    expect(await driver.applyConfig({ beeper: false, beeperVolume: 'medium' })).toEqual({
      ok: true,
      value: { applied: ['beeper', 'beeperVolume'] },
    })
    expect(emulator.settings.get('BEPBEP')).toBe('0')
    expect(emulator.settings.get('BEPLVL')).toBe('2')
    await emulator.scan('TEST-1')
    await new Promise((r) => setTimeout(r, 20))
    expect(scans.map((s) => s.data)).toEqual(['TEST-1'])
  })

  it('refuses bad values before sending, and a scanner without menu config', async () => {
    const { driver, emulator } = await bench()
    expect(await driver.applyConfig({ beeperVolume: 'loud' })).toMatchObject({
      ok: false,
      error: { code: 'invalidData', detail: 'badValue' },
    })
    expect(emulator.settings.get('BEPLVL')).toBe('3')
    const plain = await bench(false)
    expect(await plain.driver.applyConfig({ beeper: true })).toMatchObject({
      ok: false,
      error: { code: 'unsupported' },
    })
  })

  it('a scanner that does not answer is a timeout', async () => {
    const pair = createMemoryTransportPair('silent')
    await pair.device.open()
    const driver = new BarcodeScannerDriver({
      mode: 'serial',
      openTransport: () => pair.host,
      menuConfig: true,
      menuTimeoutMs: 50,
    })
    await driver.open()
    cleanups.push(() => driver.close())
    expect(await driver.applyConfig({ beeper: true })).toMatchObject({ ok: false, error: { code: 'timeout' } })
  })
})
