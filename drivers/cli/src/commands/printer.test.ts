import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type EmulatorTcpServer, EscPosEmulator, serveOnTcp } from '@drivers/printer-escpos/emulator'
import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../main.ts'

function capture() {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) } }
}

describe('kiosk-devices printer / ipp', () => {
  let server: EmulatorTcpServer | undefined
  const emulators: EscPosEmulator[] = []
  afterEach(async () => {
    await server?.close()
    emulators.length = 0
  })

  async function serve(setup: (e: EscPosEmulator) => void = () => undefined): Promise<string> {
    server = await serveOnTcp({
      port: 0,
      onConnection: async (transport) => {
        const emulator = new EscPosEmulator({ transport })
        setup(emulator)
        emulators.push(emulator)
        await emulator.start()
      },
    })
    return `tcp://127.0.0.1:${server.port}`
  }

  it('reads status as JSON and prints the test receipt over tcp://', async () => {
    const port = await serve()
    const c = capture()
    expect(await main(['node', 'kd', 'printer', 'status', '--port', port, '--json'], c.io)).toBe(0)
    expect(JSON.parse(c.out.join(''))).toEqual({ port, status: { state: 'online', paper: 'full', cover: 'closed' } })
    expect(await main(['node', 'kd', 'printer', 'print-test', '--port', port, '--model', 'epson-tm-t88v'], c.io)).toBe(
      0,
    )
    expect(c.out.join('')).toMatch(/printed job 1: \d+ lines/)
    expect(emulators.at(-1)?.counters.cuts).toBe(1)
  })

  it('exits 6 with advice when the paper is out, and 2 for a bad receipt file or model', async () => {
    const port = await serve((e) => e.paperOutAfterMm(0))
    const c = capture()
    expect(await main(['node', 'kd', 'printer', 'print-test', '--port', port], c.io)).toBe(6)
    expect(c.err.join('')).toMatch(/paper out — load a new roll/)
    const dir = mkdtempSync(join(tmpdir(), 'receipt-'))
    const file = join(dir, 'r.json')
    writeFileSync(file, '{"elements":[{"type":"barcode","symbology":"ean13","data":"12"}]}')
    expect(await main(['node', 'kd', 'printer', 'print', '--port', port, '--file', file], c.io)).toBe(2)
    expect(await main(['node', 'kd', 'printer', 'status', '--port', port, '--model', 'no-such'], c.io)).toBe(2)
    expect(c.err.join('')).toMatch(/unknown receipt printer model no-such \(known: .*xprinter-xp-t58h/)
  })

  it('exits 3 when nothing answers and 4 when the port cannot be opened', async () => {
    const port = await serve((e) => {
      e.unresponsive = true
    })
    const c = capture()
    expect(await main(['node', 'kd', 'printer', 'status', '--port', port], c.io)).toBe(3)
    expect(await main(['node', 'kd', 'printer', 'status', '--port', '/dev/no-such-printer'], c.io)).toBe(4)
  })

  it('checks its arguments', async () => {
    const c = capture()
    expect(await main(['node', 'kd', 'emulate', 'printer'], c.io)).toBe(2)
    expect(c.err.join('')).toMatch(/exactly one of --link PATH or --tcp PORT/)
    const dir = mkdtempSync(join(tmpdir(), 'doc-'))
    const notPdf = join(dir, 'x.pdf')
    writeFileSync(notPdf, 'hello')
    expect(
      await main(['node', 'kd', 'ipp', 'print', '--url', 'ipp://127.0.0.1:9/ipp/print', '--file', notPdf], c.io),
    ).toBe(2)
    expect(await main(['node', 'kd', 'printer', 'status', '--port', '/dev/x', '--width', '76'], c.io)).toBe(2)
  })
})

describe('kiosk-devices printer --port usb:VID:PID', () => {
  it('refuses a malformed USB address', async () => {
    const c = capture()
    expect(await main(['node', 'kd', 'printer', 'status', '--port', 'usb:4b8:202'], c.io)).toBe(2)
    expect(c.err.join('')).toMatch(/usb:VID:PID takes 4 hex digits/)
  })

  it('reports a USB printer that is not attached as cannot-open', async () => {
    const c = capture()
    expect(await main(['node', 'kd', 'printer', 'status', '--port', 'usb:04b8:0202'], c.io)).toBe(4)
    expect(c.err.join('')).toMatch(/cannot open usb:04b8:0202/)
  })
})
