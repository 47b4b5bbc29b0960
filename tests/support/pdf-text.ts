import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import type { IppEvePrinter } from './ippeveprinter.ts'

/** Text of every PDF ippeveprinter stored, through poppler's pdftotext (Debian poppler-utils). */
export function spooledPdfText(printer: IppEvePrinter): string[] {
  return printer
    .spooled()
    .filter((f) => f.endsWith('.pdf'))
    .sort()
    .map((f) => {
      try {
        return execFileSync('pdftotext', ['-layout', join(printer.spoolDir, f), '-'], { encoding: 'utf8' })
      } catch (err) {
        throw new Error('pdftotext failed (apt-get install poppler-utils)', { cause: err })
      }
    })
}
