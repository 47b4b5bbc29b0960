import type { BarcodeSymbology } from '@drivers/core'
import { hexToBytes } from '@drivers/scanner-barcode'
import { SerialScannerEmulator } from '@drivers/scanner-barcode/emulator'
import { SerialTransport } from '@drivers/transport-serial'
import { type Command, InvalidArgumentError, Option } from 'commander'
import type { CliContext } from '../cli-context.ts'
import { createPtyLink } from '../pty/socat-pty.ts'
import { positiveInt } from './idcard.ts'
import { hexBytes } from './scanner.ts'

interface EmulateScannerOptions {
  link: string
  baud: number
  scan?: string[]
  symbology: BarcodeSymbology
  delay: number
  every?: number
  suffix: string
  prefix?: string
  aim?: boolean
  manualTrigger?: boolean
  garbage?: boolean
}

const SYMBOLOGIES = ['qrCode', 'dataMatrix', 'pdf417', 'code128', 'code39', 'ean13', 'ean8'] as const

function nonNegative(name: string) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number of ms`)
    return n
  }
}

/**
 * `kiosk-devices emulate scanner`: a serial barcode/QR scanner on a pty that sends the given scans
 * (UTF-8, Chinese intact). HID scanners cannot be emulated on a pty; their emulators run in memory
 * (`@drivers/scanner-barcode/emulator`).
 */
export function registerEmulateScannerCommand(program: Command, ctx: CliContext): void {
  const emulate =
    program.commands.find((c) => c.name() === 'emulate') ??
    program.command('emulate').description('run a device emulator on a pseudo-terminal (needs socat)')
  emulate
    .command('scanner')
    .description('emulate a serial barcode/QR scanner on a pty')
    .requiredOption('--link <path>', 'create the pty at this path; point "scanner listen --port" at it')
    .option('--baud <n>', 'baud rate', positiveInt('--baud'), 9600)
    .option('--scan <text...>', 'scans to send')
    .addOption(new Option('--symbology <name>', 'symbology of the scans').choices(SYMBOLOGIES).default('qrCode'))
    .option('--delay <ms>', 'wait this long before the first scan', nonNegative('--delay'), 1000)
    .option('--every <ms>', 'send the scans again at this interval', positiveInt('--every'))
    .option('--suffix <hex>', 'bytes after each scan', hexBytes('--suffix'), '0d')
    .option('--prefix <hex>', 'bytes before each scan', hexBytes('--prefix'))
    .option('--aim', 'send the AIM symbology identifier before each scan')
    .option('--manual-trigger', 'send a scan only when the host sends a trigger (SYN T CR or the GM65 command)')
    .option('--garbage', 'send line noise before the first scan')
    .action(async (options: EmulateScannerOptions) => {
      const stopped = ctx.untilStopped()
      const pty = await createPtyLink(options.link)
      const emulator = new SerialScannerEmulator({
        transport: new SerialTransport({ path: pty.devicePath, baudRate: options.baud }),
        suffix: hexToBytes(options.suffix, '--suffix'),
        ...(options.prefix ? { prefix: hexToBytes(options.prefix, '--prefix') } : {}),
        ...(options.aim ? { aimIdPrefix: true } : {}),
        ...(options.manualTrigger ? { manualTrigger: true } : {}),
        logger: ctx.logger(),
      })
      let timer: ReturnType<typeof setTimeout> | undefined
      try {
        await emulator.start()
        ctx.err(`emulating a serial scanner at ${options.link} (${options.baud} baud) — Ctrl-C to stop\n`)
        const sendAll = async () => {
          if (options.garbage) await emulator.sendRaw(Uint8Array.of(0x00, 0xff, 0x13, 0x37))
          for (const text of options.scan ?? []) await emulator.scan(text, options.symbology)
          if (options.every !== undefined) timer = setTimeout(() => void sendAll(), options.every)
        }
        timer = setTimeout(() => void sendAll(), options.delay)
        await Promise.race([stopped, pty.exited])
      } finally {
        clearTimeout(timer)
        await emulator.stop()
        await pty.close()
      }
    })
}
