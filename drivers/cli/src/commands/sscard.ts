import { createInterface } from 'node:readline'
import { isAppError, type SmartCardFailureDetail } from '@drivers/core'
import { SocialSecurityCardService } from '@drivers/smartcard-pcsc'
import type { Command } from 'commander'
import type { CliContext } from '../cli-context.ts'
import { CommandFailure, ExitCodes } from '../exit-codes.ts'
import { positiveInt } from './idcard.ts'

interface SscardReadOptions {
  reader?: string
  holder?: boolean
  pinEnv: string
  timeout: number
  json?: boolean
}

/** The PIN from the named environment variable, else the first line of stdin. Never printed. */
async function readPin(envName: string): Promise<string> {
  const fromEnv = process.env[envName]
  if (fromEnv) return fromEnv
  const lines = createInterface({ input: process.stdin })
  try {
    for await (const line of lines) return line.trim()
  } finally {
    lines.close()
  }
  throw new CommandFailure(ExitCodes.usage, `--holder needs the PIN in $${envName} or on stdin`)
}

function exitFor(detail: SmartCardFailureDetail | undefined): (typeof ExitCodes)[keyof typeof ExitCodes] {
  if (detail === 'noMedia') return ExitCodes.noCard
  if (detail === 'noReader' || detail === 'serviceUnavailable') return ExitCodes.cannotOpen
  return ExitCodes.deviceError
}

/** `kiosk-devices sscard read`: the social-security card on a PC/SC reader (pcscd). */
export function registerSscardCommands(program: Command, ctx: CliContext): void {
  const sscard = program.command('sscard').description('social-security cards (社会保障卡) on PC/SC readers (pcscd)')
  sscard
    .command('read')
    .description('wait for a card and print its identification (and, with --holder, the holder records)')
    .option('--reader <name>', 'use the first reader whose name starts with this')
    .option('--holder', 'also verify the PIN and read the holder records')
    .option(
      '--pin-env <name>',
      'environment variable holding the PIN (else the first line of stdin)',
      'KIOSK_SSCARD_PIN',
    )
    .option('--timeout <ms>', 'how long to wait for a reader and a card', positiveInt('--timeout'), 10_000)
    .option('--json', 'print JSON')
    .action(async (options: SscardReadOptions) => {
      const service = new SocialSecurityCardService({
        ...(options.reader ? { readerName: options.reader } : {}),
        logger: ctx.logger(),
      })
      try {
        await service.open()
      } catch (err) {
        if (isAppError(err, 'ERR_DRV_PCSC_UNAVAILABLE'))
          throw new CommandFailure(ExitCodes.missingDependency, err.message)
        throw err
      }
      try {
        if (!options.json) ctx.err(`waiting up to ${options.timeout} ms for a card — 请插入社保卡\n`)
        const deadline = Date.now() + options.timeout
        while (service.getStatus().state !== 'online' && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50))
        }
        if (service.getStatus().state !== 'online') {
          const status = service.getStatus()
          throw new CommandFailure(
            ExitCodes.cannotOpen,
            status.errorCode === 'serviceUnavailable'
              ? 'pcscd is not running — start it (systemctl start pcscd, or pcscd --foreground)'
              : `no PC/SC reader${options.reader ? ` named ${options.reader}…` : ''} found — check "pcsc_scan"`,
          )
        }
        const card = await service.waitForCard(Math.max(1, deadline - Date.now()))
        if (!card.ok) throw new CommandFailure(ExitCodes.noCard, `no card inserted within ${options.timeout} ms`)
        const info = await service.readCardInfo()
        if (!info.ok) throw new CommandFailure(exitFor(info.error.detail), info.error.message)
        const output: Record<string, unknown> = { info: info.value }
        if (options.holder) {
          const holder = await service.readHolder(await readPin(options.pinEnv))
          if (!holder.ok) throw new CommandFailure(exitFor(holder.error.detail), holder.error.message)
          output.holder = holder.value
        }
        if (options.json) ctx.out(`${JSON.stringify(output)}\n`)
        else
          for (const [group, values] of Object.entries(output)) {
            ctx.out(`${group}:\n`)
            for (const [key, value] of Object.entries(values as Record<string, string>)) ctx.out(`  ${key}: ${value}\n`)
          }
      } finally {
        await service.close()
      }
    })
}
