import { Writable } from 'node:stream'
import { type BarcodeScan, createMemoryTransportPair, type DeviceStatus, type MemoryTransport } from '@drivers/core'
import { createMemoryHidPair, HidTransport, type MemoryHidDevice } from '@drivers/transport-hid'
import pino from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { HONEYWELL_TRIGGER_START } from '../codec/index.ts'
import { HidKeyboardScannerEmulator, HidPosScannerEmulator, SerialScannerEmulator } from '../emulator/index.ts'
import { BarcodeScannerDriver, type BarcodeScannerDriverOptions } from './barcode-scanner-driver.ts'

const QR = 'https://ggfw.example.gov.cn/社保卡/激活?卡号=A12345678&姓名=李四'
const tick = () => new Promise((r) => setTimeout(r, 0))
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  vi.useRealTimers()
  for (const c of cleanups.splice(0).reverse()) await c()
})

function serialBench(options: Partial<BarcodeScannerDriverOptions> = {}, emulatorOptions = {}) {
  const pair = createMemoryTransportPair('scanner')
  const emulator = new SerialScannerEmulator({ transport: pair.device, ...emulatorOptions })
  let transport: MemoryTransport = pair.host
  const driver = new BarcodeScannerDriver({ mode: 'serial', openTransport: () => transport, ...options })
  const scans: BarcodeScan[] = []
  driver.on('scanned', (s) => scans.push(s))
  cleanups.push(() => driver.close())
  return { driver, emulator, scans, pair, replaceHost: (t: MemoryTransport) => (transport = t) }
}

function hidBench(mode: 'hidKeyboard' | 'hidPos', options: Partial<BarcodeScannerDriverOptions> = {}) {
  const { host, device } = createMemoryHidPair('scanner')
  const driver = new BarcodeScannerDriver({
    mode,
    openTransport: () => new HidTransport({ openDevice: async () => host, reportSize: 64 }),
    ...options,
  })
  const scans: BarcodeScan[] = []
  driver.on('scanned', (s) => scans.push(s))
  cleanups.push(() => driver.close())
  return { driver, host, device: device as MemoryHidDevice, scans }
}

describe('BarcodeScannerDriver, serial', () => {
  it('emits a Chinese QR scan intact with its symbology from the AIM id', async () => {
    const { driver, emulator, scans } = serialBench(
      { serial: { aimIdPrefix: true } },
      { aimIdPrefix: true, chunkSize: 5 },
    )
    await emulator.start()
    await driver.open()
    expect(driver.getStatus()).toEqual({ state: 'online' })
    await emulator.scan(QR, 'qrCode')
    await tick()
    expect(scans).toEqual([{ data: QR, symbology: 'qrCode', aimId: ']Q1' }])
    expect(driver.getCounters()).toMatchObject({ scans: 1, discardedBytes: 0 })
  })

  it('counts garbage and keeps decoding', async () => {
    const { driver, emulator, scans } = serialBench(
      { serial: { prefix: Uint8Array.of(0x02) } },
      { prefix: Uint8Array.of(0x02) },
    )
    await emulator.start()
    await driver.open()
    await emulator.sendRaw(Uint8Array.of(0xff, 0x00, 0x13))
    await emulator.scan('6901234567892', 'ean13')
    await tick()
    expect(scans.map((s) => s.data)).toEqual(['6901234567892'])
    expect(driver.getCounters()).toMatchObject({ discardedFrames: 1, discardedBytes: 3 })
  })

  it('drops a half scan after the idle timeout (fake timers) and reads the next', async () => {
    vi.useFakeTimers()
    const { driver, emulator, scans } = serialBench({ idleTimeoutMs: 200 })
    await emulator.start()
    await driver.open()
    await emulator.sendRaw(new TextEncoder().encode('half-a-sc'))
    await flush()
    await vi.advanceTimersByTimeAsync(199)
    expect(driver.getCounters()).toMatchObject({ discardedFrames: 0 })
    await vi.advanceTimersByTimeAsync(1)
    expect(driver.getCounters()).toMatchObject({ discardedFrames: 1, discardedBytes: 9 })
    await emulator.scan('NEXT')
    await flush()
    expect(scans.map((s) => s.data)).toEqual(['NEXT'])
  })

  it('ends suffix-less scans on the idle timeout', async () => {
    vi.useFakeTimers()
    const { driver, emulator, scans } = serialBench(
      { serial: { suffix: new Uint8Array(0) } },
      { suffix: new Uint8Array(0) },
    )
    await emulator.start()
    await driver.open()
    await emulator.scan('NOSUFFIX')
    await flush()
    expect(scans).toEqual([])
    await vi.advanceTimersByTimeAsync(300)
    expect(scans.map((s) => s.data)).toEqual(['NOSUFFIX'])
  })

  it('disabled: scans are counted and dropped; enabled again: emitted', async () => {
    const { driver, emulator, scans } = serialBench({ enabled: false })
    await emulator.start()
    await driver.open()
    expect(driver.enabled).toBe(false)
    await emulator.scan('IGNORED')
    await tick()
    expect((await driver.enable()).ok).toBe(true)
    await emulator.scan('SEEN')
    await tick()
    expect(scans.map((s) => s.data)).toEqual(['SEEN'])
    expect(driver.getCounters()).toMatchObject({ scans: 1, scansWhileDisabled: 1 })
  })

  it('triggers a manual-trigger scanner with SYN T CR and refuses when it has no trigger', async () => {
    const { driver, emulator, scans } = serialBench(
      { triggerStart: HONEYWELL_TRIGGER_START, triggerStop: Uint8Array.of(0x16, 0x55, 0x0d) },
      { manualTrigger: true },
    )
    await emulator.start()
    await driver.open()
    await emulator.scan('QUEUED')
    await tick()
    expect(scans).toEqual([])
    expect(await driver.trigger()).toEqual({ ok: true, value: undefined })
    await tick()
    await tick()
    expect(emulator.triggers).toBe(1)
    expect(scans.map((s) => s.data)).toEqual(['QUEUED'])
    expect((await driver.disable()).ok).toBe(true)
    expect(await driver.trigger()).toMatchObject({ ok: false, error: { detail: 'notEnabled' } })
    const plain = serialBench()
    await plain.driver.open()
    expect(await plain.driver.trigger()).toMatchObject({ ok: false, error: { code: 'unsupported' } })
  })

  it('goes noDevice when unplugged, reconnects with backoff (fake timers)', async () => {
    vi.useFakeTimers()
    const bench = serialBench({ backoff: { initialMs: 100, maxMs: 400 } })
    await bench.emulator.start()
    await bench.driver.open()
    const states: DeviceStatus['state'][] = []
    bench.driver.on('statusChanged', (next) => states.push(next.state))
    bench.pair.host.simulateDisconnect()
    expect(bench.driver.getStatus()).toEqual({ state: 'noDevice', errorCode: 'disconnected' })
    expect(await bench.driver.trigger()).toMatchObject({ ok: false })
    const fresh = createMemoryTransportPair('scanner2')
    const emulator2 = new SerialScannerEmulator({ transport: fresh.device })
    await emulator2.start()
    bench.replaceHost(fresh.host)
    await vi.advanceTimersByTimeAsync(100)
    expect(states).toEqual(['noDevice', 'online'])
    await emulator2.scan('AFTER')
    await flush()
    expect(bench.scans.map((s) => s.data)).toEqual(['AFTER'])
    expect(bench.driver.getCounters()).toMatchObject({ disconnects: 1, reconnects: 1 })
  })

  it('counts scans that are not valid text in the encoding', async () => {
    const { driver, emulator, scans } = serialBench()
    await emulator.start()
    await driver.open()
    await emulator.sendRaw(Uint8Array.of(0xff, 0xfe, 0x41, 0x0d))
    await tick()
    expect(scans).toEqual([])
    expect(driver.getCounters()).toMatchObject({ undecodableScans: 1 })
  })

  it('logs lengths, never the scanned content', async () => {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk))
        done()
      },
    })
    const { driver, emulator } = serialBench({ logger: pino({ level: 'trace' }, sink) })
    await emulator.start()
    await driver.open()
    await emulator.scan(QR)
    await tick()
    const log = lines.join('')
    expect(log).toContain('"msg":"scanned"')
    expect(log).toContain(`"len":${new TextEncoder().encode(QR).length}`)
    expect(log).not.toContain('李四')
    expect(log).not.toContain('A12345678')
  })

  it('validates its options', () => {
    const openTransport = () => createMemoryTransportPair().host
    expect(() => new BarcodeScannerDriver({ mode: 'x' as 'serial', openTransport })).toThrow(/mode/)
    expect(() => new BarcodeScannerDriver({ mode: 'serial', openTransport, idleTimeoutMs: 0 })).toThrow(/idleTimeoutMs/)
    expect(() => new BarcodeScannerDriver({ mode: 'serial', openTransport, encoding: 'latin1' as 'gbk' })).toThrow(
      /encoding/,
    )
    expect(
      () => new BarcodeScannerDriver({ mode: 'serial', openTransport, backoff: { initialMs: 5, maxMs: 1 } }),
    ).toThrow(/backoff/)
  })
})

describe('BarcodeScannerDriver, HID', () => {
  it('keyboard wedge: decodes typed reports on the configured layout', async () => {
    const { driver, device, scans } = hidBench('hidKeyboard', { keyboardLayout: 'de' })
    await driver.open()
    const emulator = new HidKeyboardScannerEmulator({ device, layout: 'de' })
    await emulator.scan('Zahl-42@amt')
    await tick()
    expect(scans).toEqual([{ data: 'Zahl-42@amt', symbology: 'unknown' }])
    expect(await driver.trigger()).toMatchObject({ ok: false, error: { code: 'unsupported' } })
  })

  it('HID POS: multi-report Chinese QR with symbology, a trigger output report, and garbage reports counted', async () => {
    const { driver, device, host, scans } = hidBench('hidPos', {
      triggerStart: Uint8Array.of(0xfd, 0x03, 0x16, 0x54, 0x0d),
    })
    await driver.open()
    const emulator = new HidPosScannerEmulator({ device })
    await emulator.sendReports([Uint8Array.of(0x07, 1, 2, 3)])
    await emulator.scan(QR, 'qrCode')
    await tick()
    expect(scans).toEqual([{ data: QR, symbology: 'qrCode', aimId: ']Q1' }])
    expect(driver.getCounters()).toMatchObject({ scans: 1, discardedFrames: 1 })
    expect((await driver.trigger()).ok).toBe(true)
    await tick()
    expect([...emulator.received[0]!.subarray(0, 5)]).toEqual([0xfd, 0x03, 0x16, 0x54, 0x0d])
    host.unplug()
    expect(driver.getStatus().state).toBe('noDevice')
    emulator.stop()
  })
})
