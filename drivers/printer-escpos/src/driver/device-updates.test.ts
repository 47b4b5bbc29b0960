import { createMemoryTransportPair, isConfigurable, isFirmwareUpdatable } from '@drivers/core'
import { describe, expect, it } from 'vitest'
import { EscPosEmulator, type EscPosEmulatorOptions } from '../emulator/index.ts'
import { buildFirmwareImage } from '../firmware/image.ts'
import { testReceipt } from '../test-receipt.ts'
import { EscPosPrinter } from './escpos-printer.ts'
import type { EscPosPrinterOptions } from './options.ts'

const MODEL = 'xprinter-xp-t58h'
const fast = { restartPollMs: 50, replyTimeoutMs: 300, startTimeoutMs: 300, blockTimeoutMs: 500 }

async function setup(
  options: Partial<EscPosPrinterOptions> = {},
  emulatorOptions: Partial<EscPosEmulatorOptions> = {},
) {
  const { host, device } = createMemoryTransportPair('printer')
  const emulator = new EscPosEmulator({ transport: device, model: MODEL, restartMs: 30, ...emulatorOptions })
  await emulator.start()
  const printer = new EscPosPrinter({ transport: host, pollIntervalMs: 0, firmwareTimings: fast, ...options })
  await printer.open()
  return { emulator, printer }
}

const payload = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff)

describe('EscPosPrinter configuration and firmware (memory transport)', () => {
  it('offers both capabilities', async () => {
    const { printer } = await setup()
    expect(isConfigurable(printer)).toBe(true)
    expect(isFirmwareUpdatable(printer)).toBe(true)
    await printer.close()
  })

  it('applies a config, the printer resets, and the values read back', async () => {
    const { emulator, printer } = await setup()
    const result = await printer.applyConfig({ printDensity: 85, printSpeed: 3, memorySwitches: { '2': '20100002' } })
    expect(result).toEqual({ ok: true, value: { applied: ['printDensity', 'printSpeed', 'memorySwitches'] } })
    expect(emulator.nv.settings[5]).toBe(65533)
    expect(emulator.nv.settings[6]).toBe(3)
    expect(emulator.nv.memorySwitches[2]).toBe('00100000')
    expect(emulator.counters.restarts).toBe(1)
    const read = await printer.readConfig()
    expect(read).toMatchObject({ ok: true, value: { printDensity: 85, printSpeed: 3, codePage: 0 } })
    expect(printer.getStatus().state).toBe('online')
    expect((await printer.print(testReceipt())).ok).toBe(true)
    await printer.close()
  })

  it('refuses bad config before writing anything', async () => {
    const { emulator, printer } = await setup()
    expect(await printer.applyConfig({ printDensity: 72 })).toMatchObject({
      ok: false,
      error: { code: 'invalidData', detail: 'badValue' },
    })
    expect(await printer.applyConfig({ autoCut: true })).toMatchObject({
      ok: false,
      error: { code: 'invalidData', detail: 'unknownKey' },
    })
    expect(emulator.counters.settingsWritten).toBe(0)
    await printer.close()
  })

  it('checks the model schema and refuses keys the model does not take', async () => {
    const configSchema = {
      type: 'object',
      additionalProperties: false,
      properties: { printSpeed: { type: 'integer', minimum: 1, maximum: 5 } },
    }
    const { printer } = await setup({ update: { configSchema, firmware: false } })
    expect(await printer.applyConfig({ printSpeed: 9 })).toMatchObject({
      ok: false,
      error: { code: 'invalidData', detail: 'badValue' },
    })
    expect(await printer.applyConfig({ printDensity: 90 })).toMatchObject({
      ok: false,
      error: { code: 'unsupported' },
    })
    expect(
      await printer.updateFirmware(buildFirmwareImage({ model: MODEL, version: '2', payload: payload(10) })),
    ).toMatchObject({
      ok: false,
      error: { code: 'unsupported' },
    })
    await printer.close()
  })

  it('flashes firmware over XMODEM and reports the new version', async () => {
    const { emulator, printer } = await setup()
    expect(await printer.readFirmwareVersion()).toEqual({ ok: true, value: '1.00' })
    const image = buildFirmwareImage({ model: MODEL, version: '2.1.0', payload: payload(5000) })
    const progress: number[] = []
    const result = await printer.updateFirmware(image, { onProgress: (f) => progress.push(f) })
    expect(result).toEqual({ ok: true, value: { firmware: '2.1.0' } })
    expect(printer.firmware).toBe('2.1.0')
    expect(emulator.nv.firmware).toBe('2.1.0')
    expect(progress.at(-1)).toBe(1)
    expect(progress.length).toBeGreaterThan(2)
    expect((await printer.print(testReceipt())).ok).toBe(true)
    await printer.close()
  })

  it('the printer refuses an image for another model and a corrupted one', async () => {
    const { emulator, printer } = await setup()
    const foreign = buildFirmwareImage({ model: 'epson-tm-t88v', version: '9', payload: payload(3000) })
    expect(await printer.updateFirmware(foreign)).toMatchObject({
      ok: false,
      error: { code: 'invalidData', detail: 'wrongModel' },
    })
    const corrupted = buildFirmwareImage({ model: MODEL, version: '9', payload: payload(3000) })
    corrupted[2000] = (corrupted[2000] ?? 0) ^ 0xff
    expect(await printer.updateFirmware(corrupted)).toMatchObject({
      ok: false,
      error: { code: 'invalidData', detail: 'refused', message: expect.stringContaining('checksum') },
    })
    expect(emulator.nv.firmware).toBe('1.00')
    expect(await printer.readFirmwareVersion()).toEqual({ ok: true, value: '1.00' })
    await printer.close()
  })

  it('refuses a non-image and an update while a job prints', async () => {
    const { emulator, printer } = await setup()
    expect(await printer.updateFirmware(Uint8Array.of(1, 2, 3, 4, 5))).toMatchObject({
      ok: false,
      error: { code: 'invalidData', detail: 'badImage' },
    })
    emulator.delayMs = 5
    const job = printer.print(testReceipt())
    expect(await printer.applyConfig({ printSpeed: 2 })).toMatchObject({
      ok: false,
      error: { code: 'deviceNotReady', detail: 'busy' },
    })
    expect((await job).ok).toBe(true)
    await printer.close()
  })

  it('retransmits after line noise and cancels on abort', async () => {
    const { emulator, printer } = await setup()
    const image = buildFirmwareImage({ model: MODEL, version: '3', payload: payload(20_000) })
    let noisy = false
    const result = await printer.updateFirmware(image, {
      onProgress: (f) => {
        if (!noisy && f > 0.2) {
          noisy = true
          emulator.corruptNextChunk(Uint8Array.of(0x02, 0xff, 0x13, 0x37))
        }
      },
    })
    expect(result).toEqual({ ok: true, value: { firmware: '3' } })
    expect(emulator.counters.xmodemNaks).toBeGreaterThan(0)
    expect(printer.getCounters().firmwareRetransmits).toBeGreaterThan(0)

    const abort = new AbortController()
    const aborted = await printer.updateFirmware(
      buildFirmwareImage({ model: MODEL, version: '4', payload: payload(20_000) }),
      { signal: abort.signal, onProgress: (f) => f > 0.3 && abort.abort() },
    )
    expect(aborted).toMatchObject({ ok: false, error: { code: 'canceled' } })
    expect(emulator.nv.firmware).toBe('3')
    await printer.close()
  })

  it('a printer that goes silent mid-transfer is a timeout, not a hang, and keeps its firmware', async () => {
    const { emulator, printer } = await setup({
      firmwareTimings: { ...fast, blockTimeoutMs: 50, maxRetries: 3, restartTimeoutMs: 500 },
    })
    const result = await printer.updateFirmware(
      buildFirmwareImage({ model: MODEL, version: '5', payload: payload(20_000) }),
      {
        onProgress: (f) => {
          if (f > 0.2) emulator.unresponsive = true
        },
      },
    )
    expect(result).toMatchObject({ ok: false, error: { code: 'timeout', detail: 'noResponse' } })
    expect(emulator.nv.firmware).toBe('1.00')
    await printer.close()
  })
})
