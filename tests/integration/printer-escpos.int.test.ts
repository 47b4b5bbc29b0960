import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { DeviceStatus } from '@drivers/core'
import { EscPosPrinter, generic80mm, testReceipt } from '@drivers/printer-escpos'
import { EscPosEmulator, renderPng, renderText } from '@drivers/printer-escpos/emulator'
import { SerialTransport } from '@drivers/transport-serial'
import { afterEach, describe, expect, it } from 'vitest'
import { createPtyPair, type PtyPair } from '../support/pty.ts'

const artifacts = join(import.meta.dirname, '..', 'artifacts')

interface Rig {
  pty: PtyPair
  emulator: EscPosEmulator
  printer: EscPosPrinter
  changes: DeviceStatus[]
}

const rigs: Rig[] = []
const extraPtys: PtyPair[] = []

/** Emulator on one end of a socat pty pair, the driver with serialport on the other, at 115200. */
async function rig(options: { pollIntervalMs?: number } = {}): Promise<Rig> {
  const pty = await createPtyPair()
  const emulator = new EscPosEmulator({ transport: new SerialTransport({ path: pty.deviceEnd, baudRate: 115200 }) })
  await emulator.start()
  const printer = new EscPosPrinter({
    transport: new SerialTransport({ path: pty.hostEnd, baudRate: 115200 }),
    pollIntervalMs: options.pollIntervalMs ?? 0,
    reconnect: { initialDelayMs: 100, maxDelayMs: 400 },
  })
  const changes: DeviceStatus[] = []
  printer.on('statusChanged', (next) => changes.push(next))
  await printer.open()
  const r = { pty, emulator, printer, changes }
  rigs.push(r)
  return r
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('EscPosPrinter ↔ EscPosEmulator over a real pty (serialport)', () => {
  afterEach(async () => {
    for (const r of rigs.splice(0)) {
      await r.printer.close()
      await r.emulator.stop().catch(() => undefined)
      await r.pty.close()
    }
    for (const p of extraPtys.splice(0)) await p.close()
  })

  it('prints a full receipt and the emulator renders it', async () => {
    const { emulator, printer } = await rig()
    expect(printer.getStatus()).toEqual({ state: 'online', paper: 'full', cover: 'closed' })
    const result = await printer.print(testReceipt())
    expect(result).toMatchObject({ ok: true, value: { jobId: 1, cuts: 1 } })
    const text = renderText(emulator.printed, generic80mm.dotsPerLine)
    expect(text).toContain('自助终端打印测试 Printer self-test')
    expect(text).toContain('[CODE128 TEST-20260115-0001]')
    expect(text).toContain('[QR M https://verify.example.gov.cn/r/TEST-20260115-0001]')
    expect(emulator.counters.discarded).toBe(0)
    mkdirSync(artifacts, { recursive: true })
    writeFileSync(join(artifacts, 'printer-test-receipt.txt'), text)
    const png = await renderPng(emulator.printed, generic80mm)
    writeFileSync(join(artifacts, 'printer-test-receipt.png'), png)
    expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47])
  })

  it('fails the job when the paper runs out mid-job and reports paper out at once', async () => {
    const { emulator, printer, changes } = await rig()
    emulator.paperOutAfterMm(60)
    const result = await printer.print(testReceipt())
    expect(result).toMatchObject({ ok: false, error: { code: 'hardwareError', detail: 'paperOut' } })
    expect(changes.some((c) => c.paper === 'out')).toBe(true)
    await until(() => emulator.received.some((c) => c.type === 'clearBuffers'))
    const refused = await printer.print(testReceipt())
    expect(refused).toMatchObject({ ok: false, error: { code: 'deviceNotReady', detail: 'paperOut' } })
    emulator.loadPaper()
    await until(() => printer.getStatus().paper === 'full')
    expect((await printer.print(testReceipt())).ok).toBe(true)
  })

  it('refuses to print with the cover open and prints once it is closed', async () => {
    const { emulator, printer } = await rig({ pollIntervalMs: 200 })
    emulator.openCover()
    await until(() => printer.getStatus().cover === 'open')
    expect(await printer.print(testReceipt())).toMatchObject({ ok: false, error: { detail: 'coverOpen' } })
    emulator.closeCover()
    await until(() => printer.getStatus().state === 'online')
    expect((await printer.print(testReceipt())).ok).toBe(true)
  })

  it('survives unplug mid-job and replug: the job fails, the driver reconnects and prints again', async () => {
    const r = await rig()
    r.emulator.delayMs = 20
    const pending = r.printer.print(testReceipt({ itemLines: 30 }))
    await until(() => r.emulator.counters.lines > 3)
    // unplug: the emulator's port and the pty vanish
    await r.emulator.stop()
    await r.pty.close()
    const failed = await pending
    expect(failed.ok).toBe(false)
    await until(() => r.printer.getStatus().state === 'noDevice')
    // replug: a new pty pair, reachable at the old host path (as udev recreates /dev/ttyUSB0)
    const replug = await createPtyPair()
    extraPtys.push(replug)
    mkdirSync(dirname(r.pty.hostEnd), { recursive: true })
    symlinkSync(realpathSync(replug.hostEnd), r.pty.hostEnd)
    const emulator = new EscPosEmulator({
      transport: new SerialTransport({ path: replug.deviceEnd, baudRate: 115200 }),
    })
    await emulator.start()
    r.emulator = emulator
    await until(() => r.printer.getStatus().state === 'online', 10_000)
    expect(r.printer.getCounters()).toMatchObject({ disconnects: 1, reconnects: 1 })
    expect((await r.printer.print(testReceipt())).ok).toBe(true)
    expect(emulator.counters.cuts).toBe(1)
  })

  it('shrugs off garbage from the printer side', async () => {
    const { emulator, printer } = await rig()
    await emulator.sendRaw(Uint8Array.from([0xff, 0xee, 0x81]))
    await until(() => (printer.getCounters().discardedBytes ?? 0) >= 3)
    expect((await printer.print(testReceipt())).ok).toBe(true)
  })
})
