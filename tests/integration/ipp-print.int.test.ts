import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '@drivers/cli'
import type { DeviceStatus } from '@drivers/core'
import { IppPrinter } from '@drivers/printer-ipp'
import { renderCertificate, sampleCertificates } from '@kiosk/documents'
import { afterEach, describe, expect, it } from 'vitest'
import { type IppEvePrinter, startIppEvePrinter } from '../support/ippeveprinter.ts'

const artifacts = join(import.meta.dirname, '..', 'artifacts')
const verifyBaseUrl = 'https://verify.example.gov.cn/v'

/** poppler-utils: a missing tool is a loud failure naming the Debian package. */
function poppler(tool: 'pdftotext' | 'pdftoppm', args: string[]): string {
  try {
    return execFileSync(tool, args, { encoding: 'utf8' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${tool} is missing: apt-get install poppler-utils`, { cause: err })
    }
    throw err
  }
}

describe('IppPrinter against CUPS ippeveprinter', () => {
  let printer: IppEvePrinter | undefined
  afterEach(async () => {
    await printer?.close()
    printer = undefined
  })

  it('prints every certificate; the stored PDF reads back with pdftotext', async () => {
    printer = await startIppEvePrinter()
    const ipp = new IppPrinter({ url: printer.url, jobPollIntervalMs: 50 })
    expect(await ipp.refreshStatus()).toEqual({ ok: true, value: { state: 'online', paper: 'full', cover: 'closed' } })
    mkdirSync(artifacts, { recursive: true })
    const expectations: Record<string, string[]> = {
      socialInsurance: ['社会保险参保缴费证明', '企业职工基本养老保险', '核验码 SB7Q2K9M4X'],
      taxPayment: ['中华人民共和国税收完税证明', '个人所得税', '2,971.20'],
      businessLicence: ['营业执照信息摘要', '91110000MA00000000', '示例便民服务科技有限公司'],
      applicationReceipt: ['业务受理回执', 'A20260115-0001024', '城乡居民基本养老保险参保登记'],
    }
    let jobId = 0
    for (const [kind, certificate] of Object.entries(sampleCertificates)) {
      const pdf = await renderCertificate(certificate, { verifyBaseUrl })
      const result = await ipp.printPdf(pdf, { jobName: kind })
      expect(result).toMatchObject({ ok: true, value: { state: 'completed', reasons: ['job-completed-successfully'] } })
      if (!result.ok) return
      expect(result.value.jobId).toBeGreaterThan(jobId)
      jobId = result.value.jobId
      // ippeveprinter names the file <job-id>-<job-name, lower-cased>.pdf
      const file = printer.spooled().find((f) => f.startsWith(`${jobId}-`) && f.endsWith('.pdf'))
      expect(file?.toLowerCase()).toBe(`${jobId}-${kind.toLowerCase()}.pdf`)
      const stored = join(printer.spoolDir, file ?? '')
      expect(readFileSync(stored)).toEqual(Buffer.from(pdf))
      const text = poppler('pdftotext', ['-layout', stored, '-'])
      for (const expected of expectations[kind] ?? []) expect(text).toContain(expected)
      writeFileSync(join(artifacts, `${kind}.pdf`), pdf)
      poppler('pdftoppm', ['-png', '-r', '60', '-singlefile', stored, join(artifacts, kind)])
    }
    expect(ipp.getCounters()).toMatchObject({ jobs: 4, jobsFailed: 0 })
  })

  it('reports a job the printer aborted as failed, with its reasons', async () => {
    printer = await startIppEvePrinter({ command: '/bin/false' })
    const ipp = new IppPrinter({ url: printer.url, jobPollIntervalMs: 50 })
    const pdf = await renderCertificate(sampleCertificates.applicationReceipt, { verifyBaseUrl })
    const result = await ipp.printPdf(pdf, { jobName: 'receipt' })
    expect(result).toMatchObject({ ok: false, error: { code: 'hardwareError', detail: 'jobAborted' } })
    expect(ipp.getCounters()).toMatchObject({ jobs: 0, jobsFailed: 1 })
  })

  it('reports a printer that went away as offline, and a wrong path as rejected', async () => {
    printer = await startIppEvePrinter()
    const wrongPath = new IppPrinter({ url: printer.url.replace('/ipp/print', '/ipp/nothing') })
    const rejected = await wrongPath.refreshStatus()
    expect(rejected.ok).toBe(false)
    const ipp = new IppPrinter({ url: printer.url, requestTimeoutMs: 2000 })
    const changes: DeviceStatus[] = []
    ipp.on('statusChanged', (next) => changes.push(next))
    expect((await ipp.refreshStatus()).ok).toBe(true)
    await printer.close()
    printer = undefined
    const gone = await ipp.refreshStatus()
    expect(gone).toMatchObject({ ok: false, error: { detail: 'noResponse' } })
    expect(changes.at(-1)).toEqual({ state: 'offline', errorCode: 'noResponse' })
  })

  it('kiosk-devices ipp status / ipp print', async () => {
    printer = await startIppEvePrinter()
    const out: string[] = []
    const io = { out: (t: string) => void out.push(t), err: (t: string) => void out.push(t) }
    expect(await main(['node', 'kd', 'ipp', 'status', '--url', printer.url, '--json'], io)).toBe(0)
    expect(JSON.parse(out.join(''))).toMatchObject({ status: { state: 'online' } })
    const file = join(mkdtempSync(join(tmpdir(), 'ipp-cli-')), 'doc.pdf')
    writeFileSync(file, await renderCertificate(sampleCertificates.taxPayment, { verifyBaseUrl }))
    expect(
      await main(['node', 'kd', 'ipp', 'print', '--url', printer.url, '--file', file, '--job-name', 'tax'], io),
    ).toBe(0)
    expect(out.join('')).toMatch(/job 1 completed \(job-completed-successfully\)/)
    expect(printer.spooled()).toContain('1-tax.pdf')
  })
})
