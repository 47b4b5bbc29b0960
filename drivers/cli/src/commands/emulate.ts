import { readFile } from 'node:fs/promises'
import { type EmulatedCard, Ga467Emulator, parseCardFile } from '@drivers/card-reader-ga467/emulator'
import { SerialTransport } from '@drivers/transport-serial'
import { type Command, InvalidArgumentError, Option } from 'commander'
import type { CliContext } from '../cli-context.ts'
import { CommandFailure, ExitCodes } from '../exit-codes.ts'
import { createPtyLink } from '../pty/socat-pty.ts'
import { positiveInt } from './idcard.ts'

interface EmulateIdcardOptions {
  link: string
  card: string
  baud: number
  pace: boolean
  delay: number
  representMs: number
  fault?: EmulatorFault[]
}

/** Faults a vendor can switch on to see how their kiosk software copes. */
const FAULTS = ['no-card', 'sam-self-test', 'corrupt-checksum', 'garbage', 'remove-mid-read', 'drop-reply'] as const
type EmulatorFault = (typeof FAULTS)[number]

function nonNegativeInt(name: string) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number of ms`)
    return n
  }
}

/** One-shot faults hit the first matching exchange; the SAM fault and the empty field last. */
function applyFaults(emulator: Ga467Emulator, faults: readonly EmulatorFault[]): void {
  for (const fault of faults) {
    if (fault === 'no-card') emulator.removeCard()
    if (fault === 'sam-self-test') emulator.faults.samSelfTestFailed = true
    if (fault === 'corrupt-checksum') emulator.faults.corruptNextChecksum = true
    if (fault === 'garbage') emulator.faults.garbageBeforeNext = Uint8Array.of(0x00, 0xaa, 0x13, 0x37, 0xff)
    if (fault === 'remove-mid-read') emulator.faults.removeCardDuringRead = 600
    if (fault === 'drop-reply') emulator.faults.dropNext = true
  }
}

/** `kiosk-devices emulate <device>`: device emulators on a pty, for vendors and test rigs. */
export function registerEmulateCommands(program: Command, ctx: CliContext): void {
  const emulate = program.command('emulate').description('run a device emulator on a pseudo-terminal (needs socat)')

  emulate
    .command('idcard')
    .description('emulate a GA 467 ID-card reader holding the card in FILE.json')
    .requiredOption('--link <path>', 'create the pty at this path; point the kiosk or "idcard read --port" at it')
    .requiredOption('--card <file>', 'card JSON (the output of "idcard read --json"; photo and fingerprints optional)')
    .option('--baud <n>', 'baud rate to pace replies at', positiveInt('--baud'), 115200)
    .option('--no-pace', 'reply as fast as the pty allows instead of at wire speed')
    .option('--delay <ms>', 'extra think time before each reply', nonNegativeInt('--delay'), 0)
    .option(
      '--represent-ms <ms>',
      'put the card back this long after each read (0: never)',
      nonNegativeInt('--represent-ms'),
      1000,
    )
    .addOption(
      new Option('--fault <fault...>', 'inject faults (one-shot ones hit the first exchange they can)').choices(FAULTS),
    )
    .action(async (options: EmulateIdcardOptions) => {
      // Listen for Ctrl-C/SIGTERM before anything starts, so a stop during startup still cleans up.
      const stopped = ctx.untilStopped()
      const card = await loadCard(options.card)
      const pty = await createPtyLink(options.link)
      const transport = new SerialTransport({ path: pty.devicePath, baudRate: options.baud })
      const emulator = new Ga467Emulator({
        transport,
        card,
        logger: ctx.logger(),
        ...(options.pace ? { baudRate: options.baud } : {}),
        ...(options.delay > 0 ? { responseDelayMs: options.delay } : {}),
      })
      let represent: ReturnType<typeof setInterval> | undefined
      try {
        applyFaults(emulator, options.fault ?? [])
        await emulator.start()
        ctx.err(
          `emulating a GA 467 ID-card reader at ${options.link} (${options.baud} baud${options.pace ? ', paced' : ''}, ` +
            `card: ${card.text.cardType}${options.fault ? `, faults: ${options.fault.join(' ')}` : ''}) — Ctrl-C to stop\n`,
        )
        if (options.representMs > 0) represent = keepPresenting(emulator, options.representMs)
        await Promise.race([stopped, pty.exited])
      } finally {
        clearInterval(represent)
        await emulator.stop()
        await pty.close()
      }
    })
}

async function loadCard(file: string): Promise<EmulatedCard> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new CommandFailure(ExitCodes.usage, `cannot read card file ${file}: ${(err as Error).message}`)
  }
  try {
    return parseCardFile(JSON.parse(text))
  } catch (err) {
    throw new CommandFailure(ExitCodes.usage, `invalid card file ${file}: ${(err as Error).message}`)
  }
}

/** After a read the card halts (§1.3); a citizen lifting and replacing it is simulated after `ms`. */
function keepPresenting(emulator: Ga467Emulator, ms: number): ReturnType<typeof setInterval> {
  let haltedSince: number | undefined
  return setInterval(() => {
    if (emulator.cardState !== 'halted') {
      haltedSince = undefined
      return
    }
    haltedSince ??= Date.now()
    if (Date.now() - haltedSince >= ms) emulator.presentCard()
  }, 100)
}
