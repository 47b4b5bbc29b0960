import { isAppError } from '@drivers/core'
import {
  BarcodeScannerDriver,
  hexToBytes,
  hidScannerTransport,
  type ScanEncoding,
  serialScannerTransport,
} from '@drivers/scanner-barcode'
import { type Command, InvalidArgumentError, Option } from 'commander'
import type { CliContext } from '../cli-context.ts'
import { CommandFailure, ExitCodes } from '../exit-codes.ts'
import { positiveInt } from './idcard.ts'

interface ListenOptions {
  port: string
  mode: 'serial' | 'hid-pos' | 'hid-keyboard'
  baud: number
  suffix: string
  prefix?: string
  aim?: boolean
  encoding: ScanEncoding
  layout: 'us' | 'de'
  trigger?: string
  count?: number
  json?: boolean
}

export function hexBytes(name: string) {
  return (value: string): string => {
    try {
      hexToBytes(value, name)
      return value
    } catch {
      throw new InvalidArgumentError(`${name} must be hex bytes, e.g. 0d or 0d0a`)
    }
  }
}

/** `kiosk-devices scanner listen`: print every scan of a barcode/QR scanner, one line (or JSON line) each. */
export function registerScannerCommands(program: Command, ctx: CliContext): void {
  const scanner = program.command('scanner').description('barcode and QR scanners (serial, HID POS, HID keyboard)')
  scanner
    .command('listen')
    .description('print every scan until Ctrl-C (or --count scans)')
    .requiredOption('--port <path>', 'serial port (/dev/ttyACM0, a pty, tcp://host:port) or hidraw node for HID modes')
    .addOption(
      new Option('--mode <mode>', 'how the scanner talks')
        .choices(['serial', 'hid-pos', 'hid-keyboard'])
        .default('serial'),
    )
    .option('--baud <n>', 'serial baud rate', positiveInt('--baud'), 9600)
    .option('--suffix <hex>', 'serial: bytes that end a scan ("" for idle-timeout framing)', hexBytes('--suffix'), '0d')
    .option('--prefix <hex>', 'serial: bytes before each scan', hexBytes('--prefix'))
    .option('--aim', 'serial: scans start with an AIM symbology identifier (]Q1)')
    .addOption(new Option('--encoding <enc>', 'payload encoding').choices(['utf-8', 'gbk', 'gb18030']).default('utf-8'))
    .addOption(new Option('--layout <layout>', 'hid-keyboard: keyboard layout').choices(['us', 'de']).default('us'))
    .option('--trigger <hex>', 'send this trigger command after opening (Honeywell: 16540d)', hexBytes('--trigger'))
    .option('--count <n>', 'exit after this many scans', positiveInt('--count'))
    .option('--json', 'one JSON object per line: {"data","symbology","aimId"}')
    .action(async (options: ListenOptions) => {
      const stopped = ctx.untilStopped()
      const mode = options.mode === 'serial' ? 'serial' : options.mode === 'hid-pos' ? 'hidPos' : 'hidKeyboard'
      const driver = new BarcodeScannerDriver({
        mode,
        openTransport:
          mode === 'serial' ? serialScannerTransport(options.port, options.baud) : hidScannerTransport(options.port),
        serial: {
          suffix: hexToBytes(options.suffix, '--suffix'),
          ...(options.prefix ? { prefix: hexToBytes(options.prefix, '--prefix') } : {}),
          ...(options.aim ? { aimIdPrefix: true } : {}),
        },
        ...(options.trigger ? { triggerStart: hexToBytes(options.trigger, '--trigger') } : {}),
        encoding: options.encoding,
        keyboardLayout: options.layout,
        logger: ctx.logger(),
        description: options.port,
      })
      let seen = 0
      let done: () => void = () => undefined
      const enough = new Promise<void>((resolve) => {
        done = resolve
      })
      driver.on('scanned', (scan) => {
        seen++
        ctx.out(options.json ? `${JSON.stringify(scan)}\n` : `[${scan.symbology}] ${scan.data}\n`)
        if (options.count !== undefined && seen >= options.count) done()
      })
      driver.on('statusChanged', (next) => {
        if (next.state === 'noDevice') ctx.err(`scanner at ${options.port} disconnected; waiting for it to come back\n`)
      })
      try {
        await driver.open()
      } catch (err) {
        if (isAppError(err, 'ERR_DRV_HID_UNAVAILABLE'))
          throw new CommandFailure(ExitCodes.missingDependency, err.message)
        throw new CommandFailure(ExitCodes.cannotOpen, `cannot open ${options.port}: ${(err as Error).message}`)
      }
      try {
        ctx.err(`listening on ${options.port} (${options.mode}) — Ctrl-C to stop\n`)
        if (options.trigger) {
          const triggered = await driver.trigger()
          if (!triggered.ok) throw new CommandFailure(ExitCodes.deviceError, triggered.error.message)
        }
        await Promise.race([stopped, enough])
      } finally {
        await driver.close()
      }
    })
}
