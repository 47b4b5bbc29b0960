import { describeStatus } from '@drivers/card-reader-ga467'
import { type Command, InvalidArgumentError } from 'commander'
import type { CliContext } from '../cli-context.ts'
import { CommandFailure, ExitCodes } from '../exit-codes.ts'
import { cardToJson, cardToText } from '../output/card-output.ts'
import { describeAddress, openReader } from './reader-session.ts'

export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`)
    return n
  }
}

interface ReadOptions {
  port?: string
  hid?: string
  baud: number
  timeout: number
  json?: boolean
  fingerprints?: boolean
}

/** `kiosk-devices idcard read|sam`: GA 467 SAM ID-card readers. */
export function registerIdcardCommands(program: Command, ctx: CliContext): void {
  const idcard = program.command('idcard').description('Chinese ID-card readers (GA 467 SAM protocol)')

  idcard
    .command('read')
    .description('wait for a card, read it and print it')
    .option('--port <path>', 'serial port of the reader, e.g. /dev/ttyUSB0 (or tcp://host:port)')
    .option('--hid <path>', 'HID device of the reader, e.g. /dev/hidraw3')
    .option('--baud <n>', 'baud rate', positiveInt('--baud'), 115200)
    .option('--timeout <ms>', 'how long to wait for a card', positiveInt('--timeout'), 10_000)
    .option('--fingerprints', 'also read fingerprint templates (30 10)')
    .option('--json', 'print JSON (photoWlt and fingerprints as base64)')
    .action(async (options: ReadOptions) => {
      const address = { baud: options.baud, ...pick(options) }
      const reader = await openReader(ctx, address)
      try {
        if (!options.json) ctx.err(`waiting up to ${options.timeout} ms for a card — 请放置身份证\n`)
        const result = await reader.readCard({
          waitMs: options.timeout,
          additionalAddress: true,
          ...(options.fingerprints ? { fingerprints: true } : {}),
        })
        if (!result.ok) {
          const { code, detail, message } = result.error
          if (detail === 'noMedia') {
            throw new CommandFailure(
              ExitCodes.noCard,
              `no card presented within ${options.timeout} ms — place the card flat on the reader and try again`,
            )
          }
          if (detail === 'noResponse') {
            throw new CommandFailure(
              ExitCodes.noResponse,
              `no response from reader at ${describeAddress(address)} — check cable and baud rate`,
            )
          }
          if (detail === 'mediaRemoved') {
            throw new CommandFailure(ExitCodes.deviceError, `${message} — keep the card on the reader until it is read`)
          }
          throw new CommandFailure(
            ExitCodes.deviceError,
            `the card could not be read: ${message} [${code}${detail ? `/${detail}` : ''}]`,
          )
        }
        const card = result.value
        ctx.out(options.json ? `${JSON.stringify(cardToJson(card), null, 2)}\n` : `${cardToText(card)}\n`)
        if (card.idNumberCheck === 'invalid') {
          ctx.err('warning: the ID number fails its MOD 11-2 check digit — the card may be damaged or not genuine\n')
        }
      } finally {
        await reader.close()
      }
    })

  idcard
    .command('sam')
    .description("print the SAM module's status and id")
    .option('--port <path>', 'serial port of the reader')
    .option('--hid <path>', 'HID device of the reader')
    .option('--baud <n>', 'baud rate', positiveInt('--baud'), 115200)
    .option('--json', 'print JSON')
    .action(async (options: { port?: string; hid?: string; baud: number; json?: boolean }) => {
      const reader = await openReader(ctx, { baud: options.baud, ...pick(options) })
      try {
        const status = await reader.getSamStatus()
        const id = await reader.readSamId()
        if (!status.ok) throw new CommandFailure(ExitCodes.noResponse, `SAM status: ${status.error.message}`)
        if (!id.ok) throw new CommandFailure(ExitCodes.deviceError, `SAM id: ${id.error.message}`)
        if (options.json) {
          const json = { status: status.value, samId: id.value.formatted, samIdHex: id.value.hex }
          ctx.out(`${JSON.stringify(json, null, 2)}\n`)
        } else {
          ctx.out(
            `SAM status  ${describeStatus(status.value)}\nSAM id      ${id.value.formatted}  (hex ${id.value.hex})\n`,
          )
        }
      } finally {
        await reader.close()
      }
    })
}

function pick(options: { port?: string; hid?: string }): { port?: string; hid?: string } {
  return {
    ...(options.port ? { port: options.port } : {}),
    ...(options.hid ? { hid: options.hid } : {}),
  }
}
