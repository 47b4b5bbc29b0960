import { isAppError } from '@drivers/core'
import { SaneScanner } from '@drivers/scanner-sane'
import { createSaneTestBackend, type SaneTestBackend } from '@drivers/scanner-sane/emulator'
import { type Command, Option } from 'commander'
import type { CliContext } from '../cli-context.ts'
import { CommandFailure, ExitCodes } from '../exit-codes.ts'
import { positiveInt } from './idcard.ts'

interface ScanCommandOptions {
  device: string
  out?: string
  list?: boolean
  mode: 'color' | 'gray' | 'lineart'
  resolution: number
  source: 'flatbed' | 'adf'
  maxPages?: number
  json?: boolean
}

/**
 * `kiosk-devices scan`: scan a page or an ADF batch through SANE. `--device test` uses SANE's test
 * backend through a private SANE_CONFIG_DIR when none is set, so it works on any machine with sane-utils.
 */
export function registerScanCommand(program: Command, ctx: CliContext): void {
  program
    .command('scan')
    .description('scan documents through SANE (scanimage); --device test is the built-in virtual scanner')
    .option('--device <name>', 'SANE device (see --list), or "test" for the virtual test scanner', 'test')
    .option('--out <file>', 'output file; .png .pdf .jpg .tif; with --source adf a pattern like page-%d.png')
    .option('--list', 'list scanners instead of scanning')
    .addOption(new Option('--mode <mode>', 'colour mode').choices(['color', 'gray', 'lineart']).default('color'))
    .option('--resolution <dpi>', 'resolution in dpi', positiveInt('--resolution'), 150)
    .addOption(new Option('--source <source>', 'paper source').choices(['flatbed', 'adf']).default('flatbed'))
    .option('--max-pages <n>', 'ADF: stop after this many pages', positiveInt('--max-pages'))
    .option('--json', 'print the result as JSON')
    .action(async (options: ScanCommandOptions) => {
      let backend: SaneTestBackend | undefined
      const wantsTest = options.device === 'test' || options.device.startsWith('test:')
      if (wantsTest && !process.env.SANE_CONFIG_DIR) backend = await createSaneTestBackend()
      const stopped = ctx.untilStopped()
      const scanner = new SaneScanner({
        device: options.device,
        ...(backend ? { env: backend.env } : {}),
        logger: ctx.logger(),
      })
      void stopped.then(() => scanner.cancel())
      try {
        if (options.list) {
          const listed = await scanner.listDevices()
          if (!listed.ok) throw new CommandFailure(ExitCodes.deviceError, listed.error.message)
          for (const d of listed.value) {
            ctx.out(options.json ? `${JSON.stringify(d)}\n` : `${d.name}\t${d.vendor} ${d.model} (${d.type})\n`)
          }
          return
        }
        if (!options.out) throw new CommandFailure(ExitCodes.usage, 'give --out FILE (or --list)')
        let result: Awaited<ReturnType<SaneScanner['scan']>>
        try {
          result = await scanner.scan(options.out, {
            mode: options.mode,
            resolution: options.resolution,
            source: options.source,
            ...(options.maxPages === undefined ? {} : { maxPages: options.maxPages }),
          })
        } catch (err) {
          if (err instanceof TypeError) throw new CommandFailure(ExitCodes.usage, err.message)
          throw err
        }
        if (!result.ok) {
          const { detail, message } = result.error
          const exit = detail === 'noDevice' ? ExitCodes.cannotOpen : ExitCodes.deviceError
          throw new CommandFailure(exit, `scan failed (${detail ?? result.error.code}): ${message}`)
        }
        if (options.json) ctx.out(`${JSON.stringify(result.value)}\n`)
        else for (const page of result.value.pages) ctx.out(`${page.path}\t${page.bytes} bytes\n`)
      } catch (err) {
        if (isAppError(err, 'ERR_DRV_SANE_UNAVAILABLE'))
          throw new CommandFailure(ExitCodes.missingDependency, err.message)
        throw err
      } finally {
        await backend?.remove()
      }
    })
}
