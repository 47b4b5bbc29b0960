import type { BarcodeScan, DeviceStatus } from '@drivers/core'
import { BarcodeScannerDriver, HONEYWELL_TRIGGER_START, serialScannerTransport } from '@drivers/scanner-barcode'
import { SerialScannerEmulator, type SerialScannerEmulatorOptions } from '@drivers/scanner-barcode/emulator'
import { SerialTransport } from '@drivers/transport-serial'
import { afterEach, describe, expect, it } from 'vitest'
import { createPtyPair, type PtyPair } from '../support/pty.ts'
import { waitFor } from '../support/wait-for.ts'

const QR = '{"事项":"社会保险参保证明","办件编号":"SB2026112400123","网址":"https://zwfw.example.gov.cn/查验"}'
const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

/** Scanner emulator on one end of a socat pty pair (serialport at 9600), the driver on the other. */
async function onPty(emulatorOptions: Partial<SerialScannerEmulatorOptions> = {}, driverOptions = {}) {
  const pty: PtyPair = await createPtyPair()
  cleanup.push(() => pty.close())
  const emulator = new SerialScannerEmulator({
    transport: new SerialTransport({ path: pty.deviceEnd, baudRate: 9600 }),
    ...emulatorOptions,
  })
  await emulator.start()
  cleanup.push(() => emulator.stop())
  const driver = new BarcodeScannerDriver({
    mode: 'serial',
    openTransport: serialScannerTransport(pty.hostEnd, 9600),
    backoff: { initialMs: 100, maxMs: 200 },
    ...driverOptions,
  })
  const scans: BarcodeScan[] = []
  driver.on('scanned', (s) => scans.push(s))
  await driver.open()
  cleanup.push(() => driver.close())
  return { pty, emulator, driver, scans }
}

describe('serial barcode scanner over a real pty', () => {
  it('delivers a Chinese QR payload intact, written in 3-byte chunks that split characters', async () => {
    const { emulator, scans } = await onPty({ aimIdPrefix: true, chunkSize: 3 }, { serial: { aimIdPrefix: true } })
    await emulator.scan(QR, 'qrCode')
    await emulator.scan('6901234567892', 'ean13')
    await waitFor('two scans', () => scans.length === 2)
    expect(scans).toEqual([
      { data: QR, symbology: 'qrCode', aimId: ']Q1' },
      { data: '6901234567892', symbology: 'ean13', aimId: ']E0' },
    ])
  })

  it('throws away line noise and a CR LF suffix model still frames correctly', async () => {
    const suffix = Uint8Array.of(0x0d, 0x0a)
    const { emulator, driver, scans } = await onPty({ suffix }, { serial: { suffix } })
    await emulator.sendRaw(Uint8Array.of(0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a))
    await emulator.scan('A-12345')
    await waitFor('the scan', () => scans.length === 1)
    expect(scans.map((s) => s.data)).toEqual(['A-12345'])
    expect(driver.getCounters()).toMatchObject({ scans: 1, discardedFrames: 1 })
  })

  it('a manual-trigger model scans when the driver sends SYN T CR', async () => {
    const { emulator, driver, scans } = await onPty({ manualTrigger: true }, { triggerStart: HONEYWELL_TRIGGER_START })
    await emulator.scan('TRIGGERED')
    expect((await driver.trigger()).ok).toBe(true)
    await waitFor('the triggered scan', () => scans.length === 1)
    expect(scans[0]?.data).toBe('TRIGGERED')
    expect(emulator.triggers).toBe(1)
  })

  it('unplugged mid-scan: the half scan is dropped, status goes noDevice, no crash', async () => {
    const { pty, emulator, driver, scans } = await onPty()
    const states: DeviceStatus['state'][] = []
    driver.on('statusChanged', (next) => states.push(next.state))
    await emulator.sendRaw(new TextEncoder().encode('HALF-A-SC'))
    // Let the 9 bytes cross the pty (about 10 ms at 9600 baud) before the cable is pulled.
    await new Promise((r) => setTimeout(r, 300))
    await pty.close()
    await waitFor('noDevice', () => driver.getStatus().state === 'noDevice')
    expect(scans).toEqual([])
    expect(states[0]).toBe('noDevice')
    expect(driver.getCounters()).toMatchObject({ disconnects: 1, discardedBytes: 9 })
  })
})
