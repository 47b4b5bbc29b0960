import { readFile } from 'node:fs/promises'
import { IppPrinter } from '@drivers/printer-ipp'
import type { Command } from 'commander'
import type { CliContext } from '../cli-context.ts'
import { CommandFailure, ExitCodes } from '../exit-codes.ts'
import { describePrinterStatus } from './printer.ts'

/** `kiosk-devices ipp status|print`: A4 printers over IPP (CUPS queues, IPP Everywhere printers). */
export function registerIppCommands(program: Command, ctx: CliContext): void {
  const ipp = program.command('ipp').description('A4 document printers over IPP')

  ipp
    .command('status')
    .description('printer-state and printer-state-reasons, read as peripheral status')
    .requiredOption('--url <url>', 'printer URI, e.g. ipp://localhost:631/printers/a4 or ipp://printer.local/ipp/print')
    .option('--json', 'print JSON')
    .action(async (options: { url: string; json?: boolean }) => {
      const printer = new IppPrinter({ url: options.url, logger: ctx.logger() })
      const result = await printer.refreshStatus()
      if (!result.ok) throw new CommandFailure(ExitCodes.noResponse, `${options.url}: ${result.error.message}`)
      if (options.json) ctx.out(`${JSON.stringify({ url: options.url, status: result.value }, null, 2)}\n`)
      else ctx.out(`${options.url}: ${describePrinterStatus(result.value)}\n`)
    })

  ipp
    .command('print')
    .description('send a PDF with Print-Job and follow the job until it ends')
    .requiredOption('--url <url>', 'printer URI, e.g. ipp://localhost:631/printers/a4')
    .requiredOption('--file <doc.pdf>', 'PDF to print')
    .option('--job-name <name>', 'job name shown in the queue (no personal data)', 'kiosk-document')
    .option('--copies <n>', 'copies', (v) => Number.parseInt(v, 10), 1)
    .option('--no-wait', 'return once the printer accepted the job')
    .action(async (options: { url: string; file: string; jobName: string; copies: number; wait: boolean }) => {
      let pdf: Uint8Array
      try {
        pdf = new Uint8Array(await readFile(options.file))
      } catch (err) {
        throw new CommandFailure(ExitCodes.usage, `cannot read ${options.file}: ${(err as Error).message}`)
      }
      if (Buffer.from(pdf.subarray(0, 5)).toString('latin1') !== '%PDF-') {
        throw new CommandFailure(ExitCodes.usage, `${options.file} is not a PDF`)
      }
      const printer = new IppPrinter({ url: options.url, logger: ctx.logger() })
      const result = await printer.printPdf(pdf, {
        jobName: options.jobName,
        copies: options.copies,
        waitForCompletion: options.wait,
      })
      if (!result.ok) {
        const { code, detail, message } = result.error
        const exit = detail === 'noResponse' ? ExitCodes.noResponse : ExitCodes.deviceError
        throw new CommandFailure(exit, `not printed: ${message} [${code}${detail ? `/${detail}` : ''}]`)
      }
      const { jobId, state, reasons, durationMs } = result.value
      ctx.out(`job ${jobId} ${state} (${reasons.join(', ') || 'no reasons'}) in ${durationMs} ms\n`)
    })
}
