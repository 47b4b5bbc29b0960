import { readFile, writeFile } from 'node:fs/promises'
import { type PaperWidthMm, profileForWidth } from '@drivers/printer-escpos'
import {
  defaultNvState,
  EscPosEmulator,
  type EscPosNvState,
  renderPng,
  renderText,
  serveOnTcp,
} from '@drivers/printer-escpos/emulator'
import { SerialTransport } from '@drivers/transport-serial'
import { type Command, InvalidArgumentError, Option } from 'commander'
import type { CliContext } from '../cli-context.ts'
import { CommandFailure, ExitCodes } from '../exit-codes.ts'
import { createPtyLink } from '../pty/socat-pty.ts'
import { positiveInt } from './idcard.ts'

const FAULTS = ['paper-out', 'cover-open', 'offline', 'cutter-jam', 'unresponsive'] as const
type PrinterFault = (typeof FAULTS)[number]

interface EmulatePrinterOptions {
  link?: string
  tcp?: number
  baud: number
  pace: boolean
  width: PaperWidthMm
  rollMm: number
  nearEndMm: number
  paperOutAfter?: number
  slowMs?: number
  fault?: PrinterFault[]
  text?: string
  png?: string
  model?: string
  firmware: string
  nv?: string
}

/** The emulated printer's non-volatile memory, from --nv FILE when it exists (settings and firmware survive restarts). */
async function loadNv(options: EmulatePrinterOptions): Promise<EscPosNvState> {
  const fresh = defaultNvState(options.model, options.firmware)
  if (!options.nv) return fresh
  let text: string
  try {
    text = await readFile(options.nv, 'utf8')
  } catch {
    return fresh
  }
  try {
    const saved = JSON.parse(text) as EscPosNvState
    if (options.model !== undefined && saved.model !== options.model) {
      throw new Error(`it holds model ${saved.model}, not ${options.model}`)
    }
    return { ...fresh, ...saved }
  } catch (err) {
    throw new CommandFailure(ExitCodes.usage, `cannot use --nv ${options.nv}: ${(err as Error).message}`)
  }
}

export function paperWidth(value: string): PaperWidthMm {
  if (value !== '58' && value !== '80') throw new InvalidArgumentError('--width must be 58 or 80')
  return Number(value) as PaperWidthMm
}

function nonNegative(name: string) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number ≥ 0`)
    return n
  }
}

function applyFaults(emulator: EscPosEmulator, options: EmulatePrinterOptions): void {
  for (const fault of options.fault ?? []) {
    if (fault === 'paper-out') emulator.paperOutAfterMm(0)
    if (fault === 'cover-open') emulator.openCover()
    if (fault === 'offline') emulator.setOffline(true)
    if (fault === 'cutter-jam') emulator.jamNextCut()
    if (fault === 'unresponsive') emulator.unresponsive = true
  }
  if (options.paperOutAfter !== undefined) emulator.paperOutAfterMm(options.paperOutAfter)
  if (options.slowMs !== undefined) emulator.delayMs = options.slowMs
}

/** `kiosk-devices emulate printer`: an ESC/POS receipt printer on a pty (or TCP), rendering what it prints. */
export function registerEmulatePrinterCommand(program: Command, ctx: CliContext): void {
  const emulate =
    program.commands.find((c) => c.name() === 'emulate') ??
    program.command('emulate').description('run a device emulator on a pseudo-terminal (needs socat)')
  emulate
    .command('printer')
    .description('emulate an ESC/POS receipt printer; prints what it received as text when stopped')
    .option('--link <path>', 'create the pty at this path; point "printer status --port" or the kiosk at it')
    .option('--tcp <port>', 'listen on 127.0.0.1:PORT instead, like a network printer on 9100', positiveInt('--tcp'))
    .option('--baud <n>', 'baud rate of the pty end', positiveInt('--baud'), 115200)
    .option('--no-pace', 'take bytes in as fast as the pty allows instead of at wire speed')
    .option('--width <mm>', 'paper width, 58 or 80', paperWidth, 80 as PaperWidthMm)
    .option('--roll-mm <mm>', 'paper on the roll', nonNegative('--roll-mm'), 50_000)
    .option('--near-end-mm <mm>', 'the near-end sensor trips with this much left', nonNegative('--near-end-mm'), 1500)
    .option(
      '--paper-out-after <mm>',
      'run out of paper after printing this much (mid-job)',
      nonNegative('--paper-out-after'),
    )
    .option('--slow-ms <ms>', 'take this long per printed item', nonNegative('--slow-ms'))
    .addOption(new Option('--fault <fault...>', 'start with these faults').choices(FAULTS))
    .option('--text <file>', 'also write the printed text here when stopped')
    .option('--png <file>', 'also write a PNG of the printed paper here when stopped (needs fonts-noto-cjk)')
    .option(
      '--model <id>',
      'registry model id it stands in for; firmware images must be built for it',
      'escpos-emulator',
    )
    .option('--firmware <version>', 'firmware version at first power-up', '1.00')
    .option('--nv <file>', 'keep settings and firmware version in this JSON file across runs')
    .action(async (options: EmulatePrinterOptions) => {
      if (!options.link === (options.tcp === undefined)) {
        throw new CommandFailure(ExitCodes.usage, 'give exactly one of --link PATH or --tcp PORT')
      }
      const stopped = ctx.untilStopped()
      const profile = profileForWidth(options.width)
      const nv = await loadNv(options)
      const saveNv = async (): Promise<void> => {
        if (options.nv) await writeFile(options.nv, `${JSON.stringify(nv, null, 2)}\n`)
      }
      const nvTimer = options.nv ? setInterval(() => void saveNv().catch(() => undefined), 1000) : undefined
      const make = (transport: ConstructorParameters<typeof EscPosEmulator>[0]['transport']): EscPosEmulator => {
        const emulator = new EscPosEmulator({
          transport,
          profile,
          rollLengthMm: options.rollMm,
          nearEndMm: options.nearEndMm,
          logger: ctx.logger(),
          nv,
          ...(options.pace && options.link ? { baudRate: options.baud } : {}),
        })
        applyFaults(emulator, options)
        return emulator
      }
      const emulators: EscPosEmulator[] = []
      let close: () => Promise<void>
      let until: Promise<void> = stopped
      if (options.link) {
        const pty = await createPtyLink(options.link)
        const emulator = make(new SerialTransport({ path: pty.devicePath, baudRate: options.baud }))
        emulators.push(emulator)
        await emulator.start()
        until = Promise.race([stopped, pty.exited])
        close = async () => {
          await emulator.stop()
          await pty.close()
        }
      } else {
        const server = await serveOnTcp({
          port: options.tcp ?? 9100,
          onConnection: async (transport) => {
            const emulator = make(transport)
            emulators.push(emulator)
            await emulator.start()
          },
        })
        close = () => server.close()
      }
      const where = options.link ?? `tcp://127.0.0.1:${options.tcp}`
      ctx.err(
        `emulating a ${options.width} mm ESC/POS receipt printer (${nv.model}, firmware ${nv.firmware}) at ${where}` +
          `${options.fault ? ` (faults: ${options.fault.join(' ')})` : ''} — Ctrl-C to stop\n`,
      )
      try {
        await until
      } finally {
        clearInterval(nvTimer)
        await close()
        await saveNv()
      }
      const printed = emulators.flatMap((e) => e.printed)
      const text = renderText(printed, profile.dotsPerLine)
      ctx.out(text)
      if (options.text) await writeFile(options.text, text)
      if (options.png) await writeFile(options.png, await renderPng(printed, profile))
    })
}
