import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildFirmwareImage, parseFirmwareImage } from '@drivers/printer-escpos'
import { defaultNvState, type EmulatorTcpServer, EscPosEmulator, serveOnTcp } from '@drivers/printer-escpos/emulator'
import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../main.ts'
import { parseSetting, progressBar } from './printer-updates.ts'

const MODEL = 'xprinter-xp-t58h'

function capture() {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) } }
}

describe('kiosk-devices printer config / firmware', () => {
  let server: EmulatorTcpServer | undefined
  const emulators: EscPosEmulator[] = []
  afterEach(async () => {
    await server?.close()
    emulators.length = 0
  })

  async function serve(): Promise<string> {
    const nv = defaultNvState(MODEL)
    server = await serveOnTcp({
      port: 0,
      onConnection: async (transport) => {
        // one printer: every connection sees the same non-volatile memory
        const emulator = new EscPosEmulator({ transport, nv, restartMs: 20 })
        emulators.push(emulator)
        await emulator.start()
      },
    })
    return `tcp://127.0.0.1:${server.port}`
  }

  it('sets and reads settings, checked against the model schema', async () => {
    const port = await serve()
    const c = capture()
    const args = ['node', 'kd', 'printer', 'config', '--port', port, '--model', MODEL]
    expect(
      await main([...args, '--set', 'printDensity=90', '--set', 'memorySwitches.2=00100000', '--json'], c.io),
    ).toBe(0)
    expect(JSON.parse(c.out.join(''))).toMatchObject({ printDensity: 90, memorySwitches: { '2': '00100000' } })
    expect(c.err.join('')).toMatch(/applied printDensity, memorySwitches/)
    expect(await main([...args, '--set', 'printSpeed=9'], c.io)).toBe(2)
    expect(c.err.join('')).toMatch(/must be <= 5/)
  })

  it('builds an image, flashes it with a progress bar, and exits 6 when the printer refuses one', async () => {
    const port = await serve()
    const dir = mkdtempSync(join(tmpdir(), 'fw-'))
    writeFileSync(join(dir, 'payload.bin'), new Uint8Array(6000).fill(7))
    const image = join(dir, 'fw.kfw')
    const c = capture()
    expect(
      await main(
        [
          'node',
          'kd',
          'printer',
          'build-firmware',
          '--model',
          MODEL,
          '--version',
          '2.0.1',
          '--payload',
          join(dir, 'payload.bin'),
          '--out',
          image,
        ],
        c.io,
      ),
    ).toBe(0)
    expect(parseFirmwareImage(new Uint8Array(readFileSync(image)))).toMatchObject({
      ok: true,
      image: { version: '2.0.1' },
    })
    expect(await main(['node', 'kd', 'printer', 'firmware', image, '--port', port, '--model', MODEL], c.io)).toBe(0)
    expect(c.out.join('')).toContain('firmware 2.0.1')
    expect(c.err.join('')).toMatch(/\[#{30}\] 100%/)
    const foreign = join(dir, 'foreign.kfw')
    writeFileSync(foreign, buildFirmwareImage({ model: 'epson-tm-t88v', version: '9', payload: new Uint8Array(10) }))
    expect(await main(['node', 'kd', 'printer', 'firmware', foreign, '--port', port], c.io)).toBe(6)
    expect(c.err.join('')).toMatch(/wrongModel.*built for another model/)
    const v = capture()
    expect(await main(['node', 'kd', 'printer', 'firmware-version', '--port', port], v.io)).toBe(0)
    expect(v.out.join('')).toBe('2.0.1\n')
    expect(await main(['node', 'kd', 'printer', 'firmware', join(dir, 'payload.bin'), '--port', port], c.io)).toBe(2)
  })

  it('parses --set values and draws the bar', () => {
    expect(parseSetting('printSpeed=3')).toEqual({ printSpeed: 3 })
    expect(parseSetting('memorySwitches.1=00000010', { printSpeed: 3 })).toEqual({
      printSpeed: 3,
      memorySwitches: { '1': '00000010' },
    })
    expect(() => parseSetting('nothing')).toThrow(/key=value/)
    expect(progressBar(0.5, 4096, 10)).toBe('[#####-----]  50% 2/4 KiB')
  })
})
