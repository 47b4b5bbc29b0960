import { readFile } from 'node:fs/promises'
import { VPCD_DEFAULT_PORT } from '@drivers/smartcard-pcsc'
import {
  parseSscCardFile,
  SAMPLE_SSC_CARD,
  type SscCardData,
  VirtualSscCard,
  VpcdCard,
} from '@drivers/smartcard-pcsc/emulator'
import type { Command } from 'commander'
import type { CliContext } from '../cli-context.ts'
import { CommandFailure, ExitCodes } from '../exit-codes.ts'
import { positiveInt } from './idcard.ts'

interface EmulateSscardOptions {
  port: number
  host: string
  card?: string
}

/**
 * `kiosk-devices emulate sscard`: inserts a virtual social-security card into a vsmartcard-vpcd
 * reader (pcscd shows it as "Virtual PCD 00 00"; Debian's vsmartcard-vpcd listens on 35963).
 */
export function registerEmulateSscardCommand(program: Command, ctx: CliContext): void {
  const emulate =
    program.commands.find((c) => c.name() === 'emulate') ??
    program.command('emulate').description('run a device emulator on a pseudo-terminal (needs socat)')
  emulate
    .command('sscard')
    .description('insert a virtual social-security card into a vpcd reader until Ctrl-C')
    .option('--port <n>', 'the vpcd reader port', positiveInt('--port'), VPCD_DEFAULT_PORT)
    .option('--host <host>', 'where pcscd with vpcd runs', '127.0.0.1')
    .option('--card <file>', 'card JSON {info, holder, pin, pinTries?}; default a synthetic card (PIN 123456)')
    .action(async (options: EmulateSscardOptions) => {
      const stopped = ctx.untilStopped()
      const data = options.card ? await loadCard(options.card) : SAMPLE_SSC_CARD
      const card = new VpcdCard({
        card: new VirtualSscCard(data),
        host: options.host,
        port: options.port,
        logger: ctx.logger(),
      })
      try {
        await card.insert()
      } catch (err) {
        throw new CommandFailure(
          ExitCodes.cannotOpen,
          `cannot reach vpcd at ${options.host}:${options.port} (${(err as Error).message}) — is pcscd running with vsmartcard-vpcd?`,
        )
      }
      ctx.err(
        `virtual social-security card inserted into vpcd at ${options.host}:${options.port} — Ctrl-C to pull it\n`,
      )
      try {
        await stopped
      } finally {
        await card.remove()
      }
    })
}

async function loadCard(file: string): Promise<SscCardData> {
  try {
    return parseSscCardFile(JSON.parse(await readFile(file, 'utf8')))
  } catch (err) {
    throw new CommandFailure(ExitCodes.usage, `invalid card file ${file}: ${(err as Error).message}`)
  }
}
