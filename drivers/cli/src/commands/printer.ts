import { readFile } from 'node:fs/promises'
import { type DeviceStatus, DriverErrorCodes, isAppError, type Result, type Transport } from '@drivers/core'
import {
  EscPosPrinter,
  type EscPosProfile,
  type PaperWidthMm,
  PrinterErrorCodes,
  parseReceiptJson,
  profileForWidth,
  profileFromQuirks,
  testReceipt,
  UsbPrinterTransport,
} from '@drivers/printer-escpos'
import type { Registry } from '@drivers/registry'
import { openTransportFor } from '@drivers/transport-serial'
import type { Command } from 'commander'
import type { CliContext } from '../cli-context.ts'
import { CommandFailure, ExitCodes } from '../exit-codes.ts'
import { paperWidth, registerEmulatePrinterCommand } from './emulate-printer.ts'
import { positiveInt } from './idcard.ts'
import { registerPrinterUpdateCommands } from './printer-updates.ts'

export interface PrinterAddress {
  port: string
  baud: number
  model?: string
  width: PaperWidthMm
}

function profileFor(address: PrinterAddress, registry: Registry): EscPosProfile {
  if (address.model === undefined) return profileForWidth(address.width)
  const definition = registry.byId(address.model)
  const quirks = definition?.quirks.escpos
  if (definition?.deviceClass !== 'receiptPrinter' || !quirks) {
    const ids = registry.definitions.filter((d) => d.deviceClass === 'receiptPrinter').map((d) => d.id)
    throw new CommandFailure(
      ExitCodes.usage,
      `unknown receipt printer model ${address.model} (known: ${ids.join(', ')})`,
    )
  }
  return profileFromQuirks(quirks)
}

/** `usb:04b8:0202` is a USB printer-class device; anything else a serial path or tcp://host:port. */
function transportFor(address: PrinterAddress): Transport {
  const usb = /^usb:([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(address.port)
  if (usb?.[1] && usb[2]) {
    return new UsbPrinterTransport({ vendorId: Number.parseInt(usb[1], 16), productId: Number.parseInt(usb[2], 16) })
  }
  if (address.port.startsWith('usb:'))
    throw new CommandFailure(ExitCodes.usage, '--port usb:VID:PID takes 4 hex digits each')
  return openTransportFor(address.port, { baudRate: address.baud })
}

/** Opens the printer (status is read on open) and turns every way that fails into advice. */
export async function openPrinter(
  ctx: CliContext,
  address: PrinterAddress,
  registry: Registry,
): Promise<EscPosPrinter> {
  const update = address.model === undefined ? undefined : registry.byId(address.model)?.update
  const printer = new EscPosPrinter({
    transport: transportFor(address),
    profile: profileFor(address, registry),
    logger: ctx.logger(),
    pollIntervalMs: 0,
    reconnect: false,
    ...(update ? { update } : {}),
  })
  try {
    await printer.open()
  } catch (err) {
    if (isAppError(err, PrinterErrorCodes.usbUnavailable)) {
      throw new CommandFailure(ExitCodes.missingDependency, err.message, { cause: err })
    }
    if (isAppError(err, DriverErrorCodes.transportOpenFailed)) {
      throw new CommandFailure(
        ExitCodes.cannotOpen,
        `${err.message} — check the path with "kiosk-devices list", the cable, and the dialout group`,
        { cause: err },
      )
    }
    throw err
  }
  if (printer.getStatus().errorCode === 'noResponse') {
    await printer.close()
    throw new CommandFailure(
      ExitCodes.noResponse,
      `no status from the printer at ${address.port} — check power, cable and baud rate (${address.baud})`,
    )
  }
  return printer
}

export function describePrinterStatus(status: DeviceStatus): string {
  const advice: Record<string, string> = {
    paperOut: 'paper out — load a new roll',
    coverOpen: 'cover open — close it',
    cutterError: 'autocutter error — clear the jam and close the cover',
    unrecoverableError: 'unrecoverable error — power-cycle; service if it persists',
    autoRecoverableError: 'head too hot — it recovers by itself',
  }
  const parts = [`state ${status.state}`, `paper ${status.paper ?? 'unknown'}`, `cover ${status.cover ?? 'unknown'}`]
  if (status.errorCode) parts.push(advice[status.errorCode] ?? status.errorCode)
  return parts.join(', ')
}

async function printAndReport(
  ctx: CliContext,
  printer: EscPosPrinter,
  print: () => Promise<Result<{ jobId: number; lines: number; paperMm: number; durationMs: number }>>,
): Promise<void> {
  const result = await print()
  if (!result.ok) {
    const { code, detail, message } = result.error
    const exit = code === 'timeout' ? ExitCodes.noResponse : ExitCodes.deviceError
    throw new CommandFailure(
      exit,
      `not printed: ${message} [${code}${detail ? `/${detail}` : ''}] — ${describePrinterStatus(printer.getStatus())}`,
    )
  }
  const { jobId, lines, paperMm, durationMs } = result.value
  ctx.out(`printed job ${jobId}: ${lines} lines, about ${Math.round(paperMm)} mm of paper, ${durationMs} ms\n`)
}

/** `kiosk-devices printer status|print-test|print` and `emulate printer`: ESC/POS receipt printers. */
export function registerPrinterCommands(program: Command, ctx: CliContext, deps: { registry: Registry }): void {
  const printer = program
    .command('printer')
    .description('ESC/POS receipt printers (serial, USB-serial, USB printer class, tcp://host:9100)')
  const addressOptions = (cmd: Command): Command =>
    cmd
      .requiredOption(
        '--port <path>',
        'serial port such as /dev/ttyUSB0, tcp://host:9100 for a network printer, or usb:VID:PID for a USB printer-class device',
      )
      .option('--baud <n>', 'baud rate', positiveInt('--baud'), 115200)
      .option('--width <mm>', 'paper width, 58 or 80 (ignored with --model)', paperWidth, 80 as PaperWidthMm)
      .option('--model <id>', 'registry model id, e.g. epson-tm-t88v (see "kiosk-devices list")')

  addressOptions(printer.command('status').description('read the real-time status (DLE EOT 1–4)'))
    .option('--json', 'print JSON')
    .action(async (options: PrinterAddress & { json?: boolean }) => {
      const session = await openPrinter(ctx, options, deps.registry)
      try {
        const status = session.getStatus()
        if (options.json) ctx.out(`${JSON.stringify({ port: options.port, status }, null, 2)}\n`)
        else ctx.out(`${options.port}: ${describePrinterStatus(status)}\n`)
      } finally {
        await session.close()
      }
    })

  addressOptions(
    printer.command('print-test').description('print the test receipt: Chinese text, a barcode, a QR code'),
  ).action(async (options: PrinterAddress) => {
    const session = await openPrinter(ctx, options, deps.registry)
    try {
      await printAndReport(ctx, session, () => session.print(testReceipt({ printedAt: new Date() })))
    } finally {
      await session.close()
    }
  })

  addressOptions(printer.command('print').description('print a receipt from a JSON file (the ReceiptDocument shape)'))
    .requiredOption('--file <receipt.json>', 'receipt to print')
    .action(async (options: PrinterAddress & { file: string }) => {
      let document: ReturnType<typeof parseReceiptJson>
      try {
        document = parseReceiptJson(await readFile(options.file, 'utf8'))
      } catch (err) {
        throw new CommandFailure(ExitCodes.usage, `cannot use ${options.file}: ${(err as Error).message}`)
      }
      const session = await openPrinter(ctx, options, deps.registry)
      try {
        await printAndReport(ctx, session, () => {
          try {
            return session.print(document)
          } catch (err) {
            if (err instanceof TypeError) throw new CommandFailure(ExitCodes.usage, `${options.file}: ${err.message}`)
            throw err
          }
        })
      } finally {
        await session.close()
      }
    })

  registerPrinterUpdateCommands(printer, addressOptions, ctx, { registry: deps.registry, openPrinter })
  registerEmulatePrinterCommand(program, ctx)
}
