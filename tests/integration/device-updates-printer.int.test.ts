import { mkdirSync, realpathSync, symlinkSync } from 'node:fs'
import { dirname } from 'node:path'
import { isConfigurable, isFirmwareUpdatable } from '@drivers/core'
import { buildFirmwareImage, EscPosPrinter, testReceipt } from '@drivers/printer-escpos'
import { EscPosEmulator, type EscPosNvState } from '@drivers/printer-escpos/emulator'
import { allDefinitions, createRegistry } from '@drivers/registry'
import { SerialTransport } from '@drivers/transport-serial'
import { afterEach, describe, expect, it } from 'vitest'
import { createPtyPair, type PtyPair } from '../support/pty.ts'

const MODEL = 'xprinter-xp-t58h'
const definition = createRegistry(allDefinitions).byId(MODEL)

interface Rig {
  pty: PtyPair
  emulator: EscPosEmulator
  printer: EscPosPrinter
}

const rigs: Rig[] = []
const extraPtys: PtyPair[] = []

/** The emulator stands in for an XP-T58H on one end of a socat pty; the driver opens the other. */
async function rig(options: { baudRate?: number; nv?: EscPosNvState } = {}): Promise<Rig> {
  const pty = await createPtyPair()
  const emulator = await startEmulator(pty.deviceEnd, options)
  const printer = new EscPosPrinter({
    transport: new SerialTransport({ path: pty.hostEnd, baudRate: 115200 }),
    pollIntervalMs: 0,
    reconnect: { initialDelayMs: 100, maxDelayMs: 400 },
    ...(definition?.update ? { update: definition.update } : {}),
    firmwareTimings: { restartPollMs: 100 },
  })
  await printer.open()
  const r = { pty, emulator, printer }
  rigs.push(r)
  return r
}

async function startEmulator(path: string, options: { baudRate?: number; nv?: EscPosNvState } = {}) {
  const emulator = new EscPosEmulator({
    transport: new SerialTransport({ path, baudRate: 115200 }),
    model: MODEL,
    firmware: '1.00',
    ...options,
  })
  await emulator.start()
  return emulator
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

const payload = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + 17) & 0xff)

describe('printer configuration and firmware over a real pty (serialport + socat)', () => {
  afterEach(async () => {
    for (const r of rigs.splice(0)) {
      await r.printer.close()
      await r.emulator.stop().catch(() => undefined)
      await r.pty.close()
    }
    for (const p of extraPtys.splice(0)) await p.close()
  })

  it('the registry model takes both, and the driver offers both', async () => {
    expect(definition?.update?.firmware).toBe(true)
    const { printer } = await rig()
    expect(isConfigurable(printer) && isFirmwareUpdatable(printer)).toBe(true)
  })

  it('applies a config, reads it back, and the printer keeps it across a power cycle', async () => {
    const r = await rig()
    const applied = await r.printer.applyConfig({ printDensity: 110, printSpeed: 4, codePage: 0 })
    expect(applied).toEqual({ ok: true, value: { applied: ['printDensity', 'printSpeed', 'codePage'] } })
    expect(r.emulator.counters.restarts).toBe(1)
    expect(r.printer.getStatus().state).toBe('online')
    expect(await r.printer.readConfig()).toMatchObject({
      ok: true,
      value: { printDensity: 110, printSpeed: 4, codePage: 0 },
    })
    // outside the model's schema (XP-T58H: speed 1–5): refused before anything is written
    const written = r.emulator.counters.settingsWritten
    expect(await r.printer.applyConfig({ printSpeed: 9 })).toMatchObject({ ok: false, error: { code: 'invalidData' } })
    expect(r.emulator.counters.settingsWritten).toBe(written)
    // power cycle: the same non-volatile memory in a new emulator process on the same port
    const nv = r.emulator.nv
    await r.emulator.stop()
    r.emulator = await startEmulator(r.pty.deviceEnd, { nv })
    expect(await r.printer.readConfig()).toMatchObject({ ok: true, value: { printDensity: 110, printSpeed: 4 } })
    expect((await r.printer.print(testReceipt())).ok).toBe(true)
  })

  it('flashes firmware at 115200 baud and reports the new version; the printer prints afterwards', async () => {
    const { emulator, printer } = await rig({ baudRate: 115200 })
    expect(await printer.readFirmwareVersion()).toEqual({ ok: true, value: '1.00' })
    const image = buildFirmwareImage({ model: MODEL, version: '2.1.0', payload: payload(16_000) })
    const progress: number[] = []
    const result = await printer.updateFirmware(image, { onProgress: (f) => progress.push(f) })
    expect(result).toEqual({ ok: true, value: { firmware: '2.1.0' } })
    expect(printer.firmware).toBe('2.1.0')
    expect(emulator.nv.firmware).toBe('2.1.0')
    expect(emulator.counters.firmwareUpdates).toBe(1)
    expect(progress.at(-1)).toBe(1)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
    expect(await printer.readFirmwareVersion()).toEqual({ ok: true, value: '2.1.0' })
    expect(printer.getStatus().state).toBe('online')
    expect((await printer.print(testReceipt())).ok).toBe(true)
  })

  it('the printer refuses a corrupted image and one built for another model, and keeps its firmware', async () => {
    const { emulator, printer } = await rig()
    const corrupted = buildFirmwareImage({ model: MODEL, version: '2.2.0', payload: payload(8000) })
    corrupted[5000] = (corrupted[5000] ?? 0) ^ 0x40
    const bad = await printer.updateFirmware(corrupted)
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalidData', detail: 'refused' } })
    if (!bad.ok) expect(bad.error.message).toContain('checksum')
    const foreign = buildFirmwareImage({ model: 'epson-tm-t88v', version: '30.02', payload: payload(8000) })
    expect(await printer.updateFirmware(foreign)).toMatchObject({
      ok: false,
      error: { code: 'invalidData', detail: 'wrongModel' },
    })
    expect(emulator.counters.firmwareRefused).toBe(2)
    expect(emulator.nv.firmware).toBe('1.00')
    expect(await printer.readFirmwareVersion()).toEqual({ ok: true, value: '1.00' })
    expect((await printer.print(testReceipt())).ok).toBe(true)
  })

  it('unplugged mid-transfer: a clear failure, and after replug the printer still runs its old firmware', async () => {
    const r = await rig({ baudRate: 115200 })
    const nv = r.emulator.nv
    let unplugged: Promise<void> | undefined
    const result = await r.printer.updateFirmware(
      buildFirmwareImage({ model: MODEL, version: '3.0.0', payload: payload(40_000) }),
      {
        onProgress: (f) => {
          if (f > 0.3 && unplugged === undefined) {
            unplugged = (async () => {
              await r.emulator.stop()
              await r.pty.close()
            })()
          }
        },
      },
    )
    await unplugged
    expect(result).toMatchObject({ ok: false, error: { code: 'hardwareError', detail: 'disconnected' } })
    await until(() => r.printer.getStatus().state === 'noDevice')
    const replug = await createPtyPair()
    extraPtys.push(replug)
    mkdirSync(dirname(r.pty.hostEnd), { recursive: true })
    symlinkSync(realpathSync(replug.hostEnd), r.pty.hostEnd)
    r.emulator = await startEmulator(replug.deviceEnd, { nv })
    await until(() => r.printer.getStatus().state === 'online')
    expect(await r.printer.readFirmwareVersion()).toEqual({ ok: true, value: '1.00' })
    expect(r.emulator.nv.firmware).toBe('1.00')
    // and the update succeeds once the printer is back
    const again = await r.printer.updateFirmware(
      buildFirmwareImage({ model: MODEL, version: '3.0.0', payload: payload(4000) }),
    )
    expect(again).toEqual({ ok: true, value: { firmware: '3.0.0' } })
  })

  it('garbage on the line during the transfer: the damaged block is sent again and the update succeeds', async () => {
    const { emulator, printer } = await rig()
    let injected = false
    const result = await printer.updateFirmware(
      buildFirmwareImage({ model: MODEL, version: '2.3.0', payload: payload(30_000) }),
      {
        onProgress: (f) => {
          if (!injected && f > 0.25) {
            injected = true
            emulator.corruptNextChunk(Uint8Array.of(0xff, 0x02, 0x00, 0x18, 0x55, 0xaa))
          }
        },
      },
    )
    expect(result).toEqual({ ok: true, value: { firmware: '2.3.0' } })
    expect(emulator.counters.xmodemNaks).toBeGreaterThan(0)
    expect(printer.getCounters().firmwareRetransmits).toBeGreaterThan(0)
  })

  it('refuses while a job prints, and an abort leaves the old firmware', async () => {
    const { emulator, printer } = await rig()
    emulator.delayMs = 10
    const job = printer.print(testReceipt())
    const busy = await printer.updateFirmware(buildFirmwareImage({ model: MODEL, version: '9', payload: payload(100) }))
    expect(busy).toMatchObject({ ok: false, error: { code: 'deviceNotReady', detail: 'busy' } })
    expect((await job).ok).toBe(true)
    emulator.delayMs = 0
    const abort = new AbortController()
    const aborted = await printer.updateFirmware(
      buildFirmwareImage({ model: MODEL, version: '9', payload: payload(30_000) }),
      { signal: abort.signal, onProgress: (f) => f > 0.2 && abort.abort() },
    )
    expect(aborted).toMatchObject({ ok: false, error: { code: 'canceled', detail: 'aborted' } })
    await until(() => !emulator.inBootloader)
    expect(await printer.readFirmwareVersion()).toEqual({ ok: true, value: '1.00' })
  })
})
