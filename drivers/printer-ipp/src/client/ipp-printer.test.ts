import { afterEach, describe, expect, it, vi } from 'vitest'
import { decodeIppMessage } from '../codec/decode.ts'
import { encodeIppMessage } from '../codec/encode.ts'
import { attr, type IppAttribute } from '../codec/message.ts'
import { IppPrinter, ippHttpUrl } from './ipp-printer.ts'

/** An in-memory IPP printer behind an injected fetch: it speaks the real codec both ways. */
function fakePrinter(state: {
  reasons: string[]
  jobStates: number[]
  httpStatus?: number
  garbage?: boolean
  impressions?: number
}) {
  const requests: number[] = []
  const fakeFetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    const request = decodeIppMessage(new Uint8Array(init?.body as Uint8Array))
    if (!request.ok) throw new Error('client sent a bad request')
    requests.push(request.value.code)
    if (state.httpStatus) return new Response('nope', { status: state.httpStatus })
    if (state.garbage) return new Response(Uint8Array.of(2, 0, 0))
    const group: IppAttribute[] =
      request.value.code === 0x000b
        ? [attr('printer-state', 'enum', 3), attr('printer-state-reasons', 'keyword', ...state.reasons)]
        : [
            attr('job-id', 'integer', 7),
            attr('job-state', 'enum', state.jobStates.shift() ?? 9),
            attr('job-state-reasons', 'keyword', 'none'),
            ...(state.impressions === undefined
              ? []
              : [attr('job-impressions-completed', 'integer', state.impressions)]),
          ]
    const body = encodeIppMessage({
      version: [2, 0],
      code: 0,
      requestId: request.value.requestId,
      groups: [
        { group: 'operation', attributes: [attr('attributes-charset', 'charset', 'utf-8')] },
        { group: request.value.code === 0x000b ? 'printer' : 'job', attributes: group },
      ],
      data: new Uint8Array(0),
    })
    return new Response(body, { headers: { 'content-type': 'application/ipp' } })
  }) as typeof globalThis.fetch
  return { fetch: fakeFetch, requests, state }
}

const pdf = new TextEncoder().encode('%PDF-1.7\n')

describe('IppPrinter', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('maps ipp:// to http on port 631', () => {
    expect(ippHttpUrl('ipp://printer.local/ipp/print')).toBe('http://printer.local:631/ipp/print')
    expect(ippHttpUrl('ipps://p:8443/x')).toBe('https://p:8443/x')
    expect(() => ippHttpUrl('ftp://x')).toThrow(TypeError)
  })

  it('submits, then polls the job until it completes', async () => {
    const fake = fakePrinter({ reasons: ['none'], jobStates: [3, 5, 5, 9] })
    const printer = new IppPrinter({ url: 'ipp://p/ipp/print', fetch: fake.fetch, jobPollIntervalMs: 1 })
    const result = await printer.printPdf(pdf, { jobName: 'x' })
    expect(result).toMatchObject({ ok: true, value: { jobId: 7, state: 'completed' } })
    expect(fake.requests).toEqual([0x000b, 0x0002, 0x0009, 0x0009, 0x0009])
  })

  it('counts the sheets printed and what is left in the trays until a refill', async () => {
    const fake = fakePrinter({ reasons: ['none'], jobStates: [9, 9], impressions: 3 })
    const printer = new IppPrinter({ url: 'ipp://p/ipp/print', fetch: fake.fetch, trayCapacitySheets: 10 })
    await printer.printPdf(pdf, { jobName: 'a' })
    expect(printer.getCounters()).toMatchObject({ sheetsPrinted: 3, sheetsRemaining: 7 })
    // A printer that does not say: one sheet per copy.
    delete fake.state.impressions
    await printer.printPdf(pdf, { jobName: 'b', copies: 2 })
    expect(printer.getCounters()).toMatchObject({ sheetsPrinted: 5, sheetsRemaining: 5 })
    // Paper low, then back: refilled, the count of what is left starts again.
    fake.state.reasons = ['media-low']
    await printer.refreshStatus()
    fake.state.reasons = ['none']
    await printer.refreshStatus()
    expect(printer.getCounters()).toMatchObject({ sheetsPrinted: 5, sheetsRemaining: 10 })
    expect(() => new IppPrinter({ url: 'ipp://p/', trayCapacitySheets: 0 })).toThrow(/trayCapacitySheets/)
  })

  it('refuses to submit when the printer reports media-empty, and says so in its status', async () => {
    const fake = fakePrinter({ reasons: ['media-empty-error'], jobStates: [] })
    const printer = new IppPrinter({ url: 'ipp://p/ipp/print', fetch: fake.fetch })
    const changes: unknown[] = []
    printer.on('statusChanged', (next) => changes.push(next))
    const result = await printer.printPdf(pdf, { jobName: 'x' })
    expect(result).toMatchObject({ ok: false, error: { code: 'deviceNotReady', detail: 'paperOut' } })
    expect(changes).toEqual([{ state: 'userError', paper: 'out', cover: 'closed', errorCode: 'mediaEmpty' }])
    expect(fake.requests).toEqual([0x000b])
  })

  it('reports HTTP errors and garbage replies as results', async () => {
    const http = new IppPrinter({
      url: 'ipp://p/ipp/print',
      fetch: fakePrinter({ reasons: [], jobStates: [], httpStatus: 404 }).fetch,
    })
    expect(await http.refreshStatus()).toMatchObject({ ok: false, error: { code: 'commandError', detail: 'rejected' } })
    const junk = new IppPrinter({
      url: 'ipp://p/ipp/print',
      fetch: fakePrinter({ reasons: [], jobStates: [], garbage: true }).fetch,
    })
    expect(await junk.refreshStatus()).toMatchObject({ ok: false, error: { code: 'invalidData' } })
    expect(junk.getCounters().invalidResponses).toBe(1)
  })

  it('times out a request that never answers', async () => {
    vi.useFakeTimers()
    const hanging = ((_url: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new Error('aborted')))
      })) as typeof fetch
    const printer = new IppPrinter({ url: 'ipp://p/ipp/print', fetch: hanging, requestTimeoutMs: 3000 })
    const pending = printer.refreshStatus()
    await vi.advanceTimersByTimeAsync(3000)
    expect(await pending).toMatchObject({ ok: false, error: { code: 'timeout', detail: 'noResponse' } })
    expect(printer.getStatus()).toEqual({ state: 'offline', errorCode: 'noResponse' })
  })
})
