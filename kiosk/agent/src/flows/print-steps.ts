import type { PrinterFailureDetail, ReceiptDocument, Result } from '@drivers/core'
import { type Certificate, renderCertificate } from '@kiosk/documents'
import { type FlowContext, type PrintView, type StepResult, stepFail, stepOk } from './flow.ts'

function printFailure(
  failure: Extract<Result<unknown, PrinterFailureDetail>, { ok: false }>['error'],
): StepResult<PrintView> {
  const code =
    failure.code === 'deviceNotReady' ? 'deviceNotReady' : failure.code === 'timeout' ? 'timeOut' : 'hardwareError'
  return stepFail(code, failure.detail ?? failure.code, failure.message)
}

/** Prints a receipt on the receipt printer; paper out before or during the job is a clear failure. */
export async function printReceipt(ctx: FlowContext, document: ReceiptDocument): Promise<StepResult<PrintView>> {
  const printer = ctx.devices.receiptPrinter()
  if (!printer) return stepFail('deviceNotReady', 'noDevice', 'this kiosk has no receipt printer driver')
  ctx.progress('Session.PrintingEvent', { target: 'receipt' })
  const result = await printer.print(document)
  if (!result.ok) return printFailure(result.error)
  return stepOk({ printed: 'receipt' })
}

/** Renders a certificate to PDF and prints it on the A4 printer (IPP), waiting for the job to finish. */
export async function printCertificate(ctx: FlowContext, certificate: Certificate): Promise<StepResult<PrintView>> {
  const printer = ctx.devices.documentPrinter()
  if (!printer) return stepFail('deviceNotReady', 'noDevice', 'this kiosk has no A4 printer driver')
  ctx.progress('Session.PreparingDocumentEvent')
  const pdf = await renderCertificate(certificate, { verifyBaseUrl: ctx.verifyBaseUrl })
  ctx.progress('Session.PrintingEvent', { target: 'a4' })
  // The job name reaches the printer's queue: the kind only, never the citizen.
  const result = await printer.printPdf(pdf, { jobName: `kiosk-${certificate.kind}` })
  if (!result.ok) return printFailure(result.error)
  if (result.value.state !== 'completed') {
    return stepFail('hardwareError', 'jobAborted', `the printer ended the job as ${result.value.state}`)
  }
  return stepOk({ printed: 'a4', pages: 1 })
}
