import { allDefinitions, createRegistry } from '@drivers/registry'
import { listHidDevices } from '@drivers/transport-hid'
import { Command, CommanderError, Option } from 'commander'
import pino, { type Logger } from 'pino'
import { SerialPort } from 'serialport'
import type { CliContext } from './cli-context.ts'
import { registerEmulateCommands } from './commands/emulate.ts'
import { registerIdcardCommands } from './commands/idcard.ts'
import { registerIppCommands } from './commands/ipp.ts'
import { registerListCommand } from './commands/list.ts'
import { registerPrinterCommands } from './commands/printer.ts'
import { registerScannerAndCardCommands } from './commands/scanners-and-cards.ts'
import { listSerialPorts } from './discovery/serial-ports.ts'
import { CommandFailure, EXIT_CODE_HELP, ExitCodes } from './exit-codes.ts'

export interface MainOptions {
  out?: (text: string) => void
  err?: (text: string) => void
}

/**
 * The composition root of kiosk-devices. Each device group registers its commands from its own
 * file (idcard today; printer, scanner, ipp later). Returns the process exit code.
 */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const out = options.out ?? ((t: string) => process.stdout.write(t))
  const err = options.err ?? ((t: string) => process.stderr.write(t))
  let logLevel = 'silent'
  let rootLogger: Logger | undefined
  const ctx: CliContext = {
    out,
    err,
    logger: () => {
      rootLogger ??= pino({ level: logLevel, base: { app: 'kiosk-devices' } }, pino.destination(2))
      return rootLogger
    },
    untilStopped: () =>
      new Promise((resolve) => {
        process.once('SIGINT', () => resolve())
        process.once('SIGTERM', () => resolve())
      }),
  }
  const program = new Command('kiosk-devices')
    .description('Diagnostics for kiosk peripherals: find devices, read ID cards, run device emulators.')
    .addOption(
      new Option('--log-level <level>', 'driver logs on stderr (card contents are never logged)')
        .choices(['silent', 'error', 'warn', 'info', 'debug', 'trace'])
        .default('silent'),
    )
    .addHelpText('after', EXIT_CODE_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err })
    .hook('preAction', (cmd) => {
      logLevel = cmd.opts<{ logLevel: string }>().logLevel
    })
  const registry = createRegistry(allDefinitions)
  registerListCommand(program, ctx, {
    registry,
    listSerial: () => listSerialPorts({ list: () => SerialPort.list() }),
    listHid: () => listHidDevices(),
  })
  registerIdcardCommands(program, ctx)
  registerEmulateCommands(program, ctx)
  registerPrinterCommands(program, ctx, { registry })
  registerIppCommands(program, ctx)
  registerScannerAndCardCommands(program, ctx)
  try {
    await program.parseAsync(argv)
    return ExitCodes.ok
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? ExitCodes.ok : ExitCodes.usage
    if (e instanceof CommandFailure) {
      err(`kiosk-devices: ${e.message}\n`)
      return e.exitCode
    }
    err(`kiosk-devices: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    return ExitCodes.failure
  }
}
