import type { Transport } from '@drivers/core'
import { EscPosPrinter, testReceipt } from '@drivers/printer-escpos'
import { type EmulatorTcpServer, EscPosEmulator, serveOnTcp } from '@drivers/printer-escpos/emulator'
import { TcpTransport } from '@drivers/transport-serial'
import { afterEach, describe, expect, it } from 'vitest'

describe('EscPosPrinter over TCP (port-9100 style) to the emulator', () => {
  let server: EmulatorTcpServer | undefined
  let printer: EscPosPrinter | undefined
  afterEach(async () => {
    await printer?.close()
    await server?.close()
  })

  it('prints, survives the printer dropping the connection, and reconnects', async () => {
    const emulators: EscPosEmulator[] = []
    const transports: Transport[] = []
    server = await serveOnTcp({
      port: 0,
      onConnection: async (transport) => {
        const emulator = new EscPosEmulator({ transport })
        emulators.push(emulator)
        transports.push(transport)
        await emulator.start()
      },
    })
    printer = new EscPosPrinter({
      transport: new TcpTransport({ host: '127.0.0.1', port: server.port }),
      pollIntervalMs: 0,
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    })
    await printer.open()
    expect(printer.getStatus()).toMatchObject({ state: 'online', paper: 'full' })
    expect(await printer.print(testReceipt())).toMatchObject({ ok: true, value: { cuts: 1 } })
    expect(emulators[0]?.counters.cuts).toBe(1)

    await transports[0]?.close()
    const deadline = Date.now() + 5000
    while (printer.getCounters().reconnects !== 1 || printer.getStatus().state !== 'online') {
      if (Date.now() > deadline) throw new Error(`no reconnect: ${JSON.stringify(printer.getStatus())}`)
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(await printer.print(testReceipt())).toMatchObject({ ok: true })
    expect(emulators[1]?.counters.cuts).toBe(1)
  })
})
