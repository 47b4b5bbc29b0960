import { createMemoryTransportPair, type DeviceStatus, isAppError } from '@drivers/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { EscPosEmulator } from '../emulator/index.ts'
import { renderText } from '../emulator/render-text.ts'
import { testReceipt } from '../test-receipt.ts'
import { EscPosPrinter } from './escpos-printer.ts'
import type { EscPosPrinterOptions } from './options.ts'

async function setup(options: Partial<EscPosPrinterOptions> = {}, emulatorOptions = {}) {
  const { host, device } = createMemoryTransportPair('printer')
  const emulator = new EscPosEmulator({ transport: device, ...emulatorOptions })
  await emulator.start()
  const printer = new EscPosPrinter({ transport: host, pollIntervalMs: 0, ...options })
  const changes: DeviceStatus[] = []
  printer.on('statusChanged', (next) => changes.push(next))
  return { host, device, emulator, printer, changes }
}

describe('EscPosPrinter against the emulator (memory transport)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('reads status on open and prints a full receipt, confirmed by GS r', async () => {
    const { emulator, printer } = await setup()
    await printer.open()
    expect(printer.getStatus()).toEqual({ state: 'online', paper: 'full', cover: 'closed' })
    const result = await printer.print(testReceipt())
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.value).toMatchObject({ jobId: 1, cuts: 1 })
    expect(result.value.lines).toBeGreaterThan(10)
    const text = renderText(emulator.printed, 576)
    expect(text).toContain('示例市政务服务中心'.split('').join('  '))
    expect(text).toContain('[CODE128 TEST-20260115-0001]')
    expect(text).toContain('[QR M https://verify.example.gov.cn/r/TEST-20260115-0001]')
    expect(emulator.received.some((c) => c.type === 'transmitStatus')).toBe(true)
    expect(printer.getCounters()).toMatchObject({ jobs: 1, cuts: 1, jobsFailed: 0 })
    expect(printer.getCounters().paperRemainingMm).toBeLessThan(50_000)
    await printer.close()
  })

  it('refuses a job when the paper is out, without sending it', async () => {
    const { emulator, printer } = await setup()
    emulator.paperOutAfterMm(0)
    await printer.open()
    expect(printer.getStatus()).toMatchObject({ state: 'userError', paper: 'out' })
    const result = await printer.print(testReceipt())
    expect(result).toEqual({
      ok: false,
      error: { code: 'deviceNotReady', detail: 'paperOut', message: 'printer not ready: paperOut' },
    })
    expect(emulator.received.some((c) => c.type === 'text')).toBe(false)
    expect(printer.getCounters().jobsRefused).toBe(1)
  })

  it('refuses a job when the cover is open', async () => {
    const { emulator, printer } = await setup()
    await printer.open()
    emulator.openCover()
    const result = await printer.print(testReceipt())
    expect(result.ok === false && result.error.detail).toBe('coverOpen')
  })

  it('reports a job as failed, not printed, when the paper runs out mid-job, and drops the rest', async () => {
    const { emulator, printer, changes } = await setup()
    await printer.open()
    emulator.paperOutAfterMm(40)
    const result = await printer.print(testReceipt())
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error).toMatchObject({ code: 'hardwareError', detail: 'paperOut' })
    expect(changes.at(-1)).toMatchObject({ paper: 'out', state: 'userError' })
    expect(emulator.received.some((c) => c.type === 'clearBuffers')).toBe(true)
    expect(emulator.buffered).toBe(0)
    expect(printer.getCounters()).toMatchObject({ jobs: 0, jobsFailed: 1 })
    // load a new roll: nothing of the failed job comes out afterwards
    const before = emulator.printed.length
    emulator.loadPaper()
    expect(emulator.printed.length).toBe(before)
  })

  it('emits status changes at once from Automatic Status Back', async () => {
    const { emulator, printer, changes } = await setup()
    await printer.open()
    emulator.openCover()
    await vi.waitFor(() => expect(changes.at(-1)).toMatchObject({ cover: 'open', state: 'userError' }))
    emulator.closeCover()
    await vi.waitFor(() => expect(changes.at(-1)).toMatchObject({ cover: 'closed', state: 'online' }))
    emulator.paperOutAfterMm(1)
    await vi.waitFor(() => expect(changes.at(-1)).toMatchObject({ paper: 'low' }))
  })

  it('polls real-time status when the model has no ASB', async () => {
    vi.useFakeTimers()
    const { generic80mm } = await import('../codec/index.ts')
    const profile = { ...generic80mm, automaticStatusBack: false }
    const { emulator, printer, changes } = await setup({ profile, pollIntervalMs: 1000 }, { profile })
    await printer.open()
    emulator.openCover()
    await vi.advanceTimersByTimeAsync(999)
    expect(changes.some((c) => c.cover === 'open')).toBe(false)
    await vi.advanceTimersByTimeAsync(2)
    expect(printer.getStatus()).toMatchObject({ cover: 'open' })
    await printer.close()
  })

  it('times out status queries and jobs when the printer does not answer', async () => {
    vi.useFakeTimers()
    const { emulator, printer } = await setup({ statusTimeoutMs: 300 })
    await printer.open()
    emulator.unresponsive = true
    const pending = printer.print(testReceipt())
    await vi.advanceTimersByTimeAsync(300)
    const result = await pending
    expect(result).toMatchObject({ ok: false, error: { code: 'timeout', detail: 'noResponse' } })
    expect(printer.getStatus()).toMatchObject({ state: 'offline', errorCode: 'noResponse' })
    expect(printer.getCounters().statusTimeouts).toBe(1)
  })

  it('fails a job that is never confirmed once its time limit passes', async () => {
    vi.useFakeTimers()
    const { emulator, printer } = await setup({ jobTimeoutMs: 5000, minSpeedMmPerS: 1000 })
    await printer.open()
    emulator.delayMs = 60_000
    const pending = printer.print(testReceipt())
    let settled = false
    void pending.then(() => {
      settled = true
    })
    await vi.advanceTimersByTimeAsync(5000)
    expect(settled).toBe(false)
    await vi.advanceTimersByTimeAsync(1000)
    expect(await pending).toMatchObject({ ok: false, error: { code: 'timeout', detail: 'noResponse' } })
  })

  it('counts garbage from the printer and carries on', async () => {
    const { device, printer } = await setup()
    await printer.open()
    await device.write(Uint8Array.from([0xff, 0x80, 0xa5]))
    await vi.waitFor(() => expect(printer.getCounters().discardedBytes).toBe(3))
    expect((await printer.print(testReceipt())).ok).toBe(true)
  })

  it('fails the job when the device vanishes mid-job, then reconnects with backoff', async () => {
    vi.useFakeTimers()
    const { host, emulator, printer, changes } = await setup({ reconnect: { initialDelayMs: 500, maxDelayMs: 4000 } })
    await printer.open()
    emulator.delayMs = 100
    const pending = printer.print(testReceipt())
    await vi.advanceTimersByTimeAsync(150)
    host.simulateDisconnect()
    expect(await pending).toMatchObject({ ok: false, error: { detail: 'offline' } })
    expect(changes.at(-1)).toMatchObject({ state: 'noDevice' })
    emulator.delayMs = 0
    await vi.advanceTimersByTimeAsync(500)
    await vi.waitFor(() => expect(printer.getStatus()).toMatchObject({ state: 'online' }))
    expect(printer.getCounters()).toMatchObject({ disconnects: 1, reconnects: 1 })
    await printer.close()
  })

  it('throws a stable code when used before open, and TypeError for a bad document', async () => {
    const { printer } = await setup()
    let caught: unknown
    try {
      await printer.print(testReceipt())
    } catch (err) {
      caught = err
    }
    expect(isAppError(caught, 'ERR_DRV_PRINTER_NOT_OPEN')).toBe(true)
    await printer.open()
    expect(() => printer.print({ elements: [{ type: 'barcode', symbology: 'ean8', data: 'nope' }] })).toThrow(TypeError)
    expect(() => new EscPosPrinter({ transport: printer as never, pollIntervalMs: -1 })).toThrow(/pollIntervalMs/)
  })
})
