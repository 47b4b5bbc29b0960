import { readFile, writeFile } from 'node:fs/promises'
import type { DeviceConfig, DeviceFailure } from '@drivers/core'
import { buildFirmwareImage, type EscPosPrinter, type PaperWidthMm } from '@drivers/printer-escpos'
import type { Registry } from '@drivers/registry'
import { type Command, InvalidArgumentError } from 'commander'
import type { CliContext } from '../cli-context.ts'
import { CommandFailure, type ExitCode, ExitCodes } from '../exit-codes.ts'

/** The address options every `printer` command takes (printer.ts). */
interface PrinterAddress {
  port: string
  baud: number
  model?: string
  width: PaperWidthMm
}

export interface PrinterUpdateDeps {
  registry: Registry
  /** printer.ts's opener: status on open, every failure turned into advice. */
  openPrinter: (ctx: CliContext, address: PrinterAddress, registry: Registry) => Promise<EscPosPrinter>
}

/** `key=value`; the value is JSON when it parses (numbers, booleans), else a string; `a.b=v` nests. */
export function parseSetting(text: string, previous: DeviceConfig = {}): DeviceConfig {
  const at = text.indexOf('=')
  if (at <= 0) throw new InvalidArgumentError(`--set takes key=value, got ${text}`)
  const path = text.slice(0, at).split('.')
  const raw = text.slice(at + 1)
  let value: unknown = raw
  // memory switch bits like 00100000 stay strings
  if (!/^[012]{8}$/.test(raw)) {
    try {
      value = JSON.parse(raw)
    } catch {
      value = raw
    }
  }
  const config: DeviceConfig = { ...previous }
  let node = config as Record<string, unknown>
  for (const key of path.slice(0, -1)) {
    const next = node[key]
    node[key] = typeof next === 'object' && next !== null ? { ...(next as object) } : {}
    node = node[key] as Record<string, unknown>
  }
  node[path.at(-1) as string] = value
  return config
}

function exitFor(error: DeviceFailure): ExitCode {
  if (error.code === 'timeout') return ExitCodes.noResponse
  if (error.code === 'invalidData' && error.detail !== 'refused' && error.detail !== 'wrongModel')
    return ExitCodes.usage
  return ExitCodes.deviceError
}

function failure(what: string, error: DeviceFailure): CommandFailure {
  const advice: Record<string, string> = {
    busy: 'the printer is printing — try again when it is idle',
    wrongModel: 'the image is built for another model — check --model of the image',
    refused: 'the printer refused it; it keeps its old firmware and settings',
    disconnected: 'the printer vanished — check cable and power; it keeps its old firmware',
    notRestarted: 'the printer did not come back — power-cycle it and read its version again',
  }
  const hint = error.detail ? advice[error.detail] : undefined
  return new CommandFailure(
    exitFor(error),
    `${what}: ${error.message} [${error.code}${error.detail ? `/${error.detail}` : ''}]${hint ? ` — ${hint}` : ''}`,
  )
}

/** A text progress bar for stderr: `[##########----------]  50% 20/40 KiB`. */
export function progressBar(fraction: number, totalBytes: number, width = 30): string {
  const f = Math.max(0, Math.min(1, fraction))
  const filled = Math.round(f * width)
  const kib = (n: number) => Math.round(n / 1024)
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(f * 100)).padStart(3)}% ${kib(f * totalBytes)}/${kib(totalBytes)} KiB`
}

async function withPrinter<T>(
  ctx: CliContext,
  address: PrinterAddress,
  deps: PrinterUpdateDeps,
  run: (printer: EscPosPrinter) => Promise<T>,
): Promise<T> {
  const printer = await deps.openPrinter(ctx, address, deps.registry)
  try {
    return await run(printer)
  } finally {
    await printer.close()
  }
}

/** `printer config`, `printer firmware`, `printer firmware-version`, `printer build-firmware`. */
export function registerPrinterUpdateCommands(
  printer: Command,
  addressOptions: (cmd: Command) => Command,
  ctx: CliContext,
  deps: PrinterUpdateDeps,
): void {
  addressOptions(
    printer
      .command('config')
      .description('read the printer settings, or change them with --set (GS ( E; the printer restarts)'),
  )
    .option(
      '--set <key=value>',
      'a setting, repeatable: printDensity=90 printSpeed=3 memorySwitches.2=20100002',
      parseSetting,
    )
    .option('--file <config.json>', 'settings from a JSON file (a config artifact)')
    .option('--json', 'print JSON')
    .action(async (options: PrinterAddress & { set?: DeviceConfig; file?: string; json?: boolean }) => {
      let config: DeviceConfig | undefined = options.set
      if (options.file) {
        try {
          config = { ...(JSON.parse(await readFile(options.file, 'utf8')) as DeviceConfig), ...config }
        } catch (err) {
          throw new CommandFailure(ExitCodes.usage, `cannot use ${options.file}: ${(err as Error).message}`)
        }
      }
      await withPrinter(ctx, options, deps, async (session) => {
        if (config !== undefined) {
          const applied = await session.applyConfig(config)
          if (!applied.ok) throw failure('not applied', applied.error)
          ctx.err(`applied ${applied.value.applied.join(', ')}; the printer restarted\n`)
        }
        const read = await session.readConfig()
        if (!read.ok) throw failure('cannot read the settings', read.error)
        if (options.json) ctx.out(`${JSON.stringify(read.value, null, 2)}\n`)
        else for (const [key, value] of Object.entries(read.value)) ctx.out(`${key}: ${JSON.stringify(value)}\n`)
      })
    })

  addressOptions(printer.command('firmware-version').description('read the firmware version (GS I 0x41)')).action(
    async (options: PrinterAddress) => {
      await withPrinter(ctx, options, deps, async (session) => {
        const version = await session.readFirmwareVersion()
        if (!version.ok) throw failure('no firmware version', version.error)
        ctx.out(`${version.value}\n`)
      })
    },
  )

  addressOptions(
    printer
      .command('firmware')
      .description('flash a firmware image (KFW1, XMODEM-1K); the printer checks it and restarts')
      .argument('<image>', 'firmware image file'),
  ).action(async (file: string, options: PrinterAddress) => {
    let image: Uint8Array
    try {
      image = new Uint8Array(await readFile(file))
    } catch (err) {
      throw new CommandFailure(ExitCodes.usage, `cannot read ${file}: ${(err as Error).message}`)
    }
    await withPrinter(ctx, options, deps, async (session) => {
      // Ctrl-C cancels the transfer on the wire (CAN), so the printer keeps its old firmware
      const abort = new AbortController()
      const onSignal = (): void => abort.abort()
      process.once('SIGINT', onSignal)
      let last = ''
      const result = await session
        .updateFirmware(image, {
          signal: abort.signal,
          onProgress: (fraction) => {
            const bar = progressBar(fraction, image.length)
            if (bar !== last) ctx.err(`\r${bar}`)
            last = bar
          },
        })
        .finally(() => process.off('SIGINT', onSignal))
      if (last) ctx.err('\n')
      if (!result.ok) throw failure('firmware not updated', result.error)
      ctx.out(`firmware ${result.value.firmware}\n`)
    })
  })

  printer
    .command('build-firmware')
    .description('build a KFW1 firmware image (for vendors testing against the emulator)')
    .requiredOption('--model <id>', 'registry model id the image is for, e.g. xprinter-xp-t58h')
    .requiredOption('--version <version>', 'version the printer reports afterwards')
    .requiredOption('--payload <file>', 'the firmware payload')
    .requiredOption('--out <file>', 'where to write the image')
    .action(async (options: { model: string; version: string; payload: string; out: string }) => {
      if (deps.registry.byId(options.model)?.update?.firmware !== true) {
        throw new CommandFailure(ExitCodes.usage, `${options.model} takes no firmware updates (see the registry)`)
      }
      let image: Uint8Array
      try {
        const payload = new Uint8Array(await readFile(options.payload))
        image = buildFirmwareImage({ model: options.model, version: options.version, payload })
      } catch (err) {
        throw new CommandFailure(ExitCodes.usage, `cannot build the image: ${(err as Error).message}`)
      }
      await writeFile(options.out, image)
      ctx.out(`${options.out}: ${image.length} bytes, ${options.model} ${options.version}\n`)
    })
}
