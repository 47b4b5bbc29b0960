import { describe, expect, it } from 'vitest'
import { decodeIppMessage } from './decode.ts'
import { encodeIppMessage } from './encode.ts'
import { attr, firstValue, type IppMessage } from './message.ts'
import { ippToDeviceStatus } from './printer-status.ts'
import { printJobRequest } from './requests.ts'

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ')

describe('IPP codec (RFC 8010)', () => {
  it('encodes a Print-Job request byte for byte', () => {
    const message = printJobRequest({
      printerUri: 'ipp://h/p',
      requestId: 1,
      userName: 'k',
      jobName: 'j',
      documentFormat: 'application/pdf',
      document: Uint8Array.of(0x25, 0x50),
    })
    const bytes = encodeIppMessage(message)
    expect(hex(bytes.subarray(0, 8))).toBe('02 00 00 02 00 00 00 01')
    // operation group, then attributes-charset = utf-8
    expect(hex(bytes.subarray(8, 33))).toBe(
      '01 47 00 12 61 74 74 72 69 62 75 74 65 73 2d 63 68 61 72 73 65 74 00 05 75',
    )
    expect(hex(bytes.subarray(-3))).toBe('03 25 50')
  })

  it('round-trips every value kind, additional values and nested collections', () => {
    const message: IppMessage = {
      version: [1, 1],
      code: 0x0000,
      requestId: 77,
      groups: [
        { group: 'operation', attributes: [attr('attributes-charset', 'charset', 'utf-8')] },
        {
          group: 'printer',
          attributes: [
            attr('printer-state', 'enum', 3),
            attr('printer-state-reasons', 'keyword', 'media-low-warning', 'toner-low-report'),
            attr('printer-is-accepting-jobs', 'boolean', true),
            attr('copies-supported', 'rangeOfInteger', { lower: 1, upper: 99 }),
            attr('printer-resolution-default', 'resolution', { xres: 600, yres: 600, units: 3 }),
            attr('printer-info', 'textWithLanguage', { language: 'zh-cn', text: '示例打印机' }),
            attr('printer-alert', 'octetString', Uint8Array.of(1, 2, 3)),
            attr('job-k-octets', 'integer', -5),
            attr('printer-geo-location', 'unknown', { outOfBand: 'unknown' }),
            attr('media-col-default', 'begCollection', {
              members: [
                attr('media-size', 'begCollection', {
                  members: [attr('x-dimension', 'integer', 21000), attr('y-dimension', 'integer', 29700)],
                }),
                attr('media-type', 'keyword', 'stationery'),
              ],
            }),
          ],
        },
      ],
      data: new Uint8Array(0),
    }
    const decoded = decodeIppMessage(encodeIppMessage(message))
    expect(decoded).toEqual({ ok: true, value: message })
    if (decoded.ok) expect(firstValue(decoded.value, 'printer', 'printer-state')).toBe(3)
  })

  it('reports truncated messages and garbage as invalidData, never throwing', () => {
    const bytes = encodeIppMessage(
      printJobRequest({
        printerUri: 'ipp://h/p',
        requestId: 1,
        userName: 'k',
        jobName: 'j',
        documentFormat: 'application/pdf',
        document: new Uint8Array(0),
      }),
    )
    for (let cut = 0; cut < bytes.length - 1; cut++) {
      const r = decodeIppMessage(bytes.subarray(0, cut))
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('invalidData')
    }
    let seed = 7
    for (let i = 0; i < 300; i++) {
      const junk = Uint8Array.from({ length: 40 }, () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff
        return seed & 0xff
      })
      expect(() => decodeIppMessage(junk)).not.toThrow()
    }
  })

  it('refuses values that do not fit the tag', () => {
    expect(() =>
      encodeIppMessage({
        version: [2, 0],
        code: 2,
        requestId: 1,
        groups: [{ group: 'operation', attributes: [attr('copies', 'integer', 'two')] }],
        data: new Uint8Array(0),
      }),
    ).toThrow(/copies/)
  })
})

describe('printer-state-reasons → DeviceStatus', () => {
  it.each([
    [
      { state: 'idle', reasons: ['none'] },
      { state: 'online', paper: 'full', cover: 'closed' },
    ],
    [
      { state: 'processing', reasons: ['none'] },
      { state: 'busy', paper: 'full', cover: 'closed' },
    ],
    [
      { state: 'idle', reasons: ['media-low-warning'] },
      { state: 'online', paper: 'low', cover: 'closed' },
    ],
    [
      { state: 'stopped', reasons: ['media-empty-error'] },
      { state: 'userError', paper: 'out', cover: 'closed', errorCode: 'mediaEmpty' },
    ],
    [
      { state: 'stopped', reasons: ['media-needed'] },
      { state: 'userError', paper: 'out', cover: 'closed', errorCode: 'mediaEmpty' },
    ],
    [
      { state: 'stopped', reasons: ['media-jam'] },
      { state: 'userError', paper: 'jammed', cover: 'closed', errorCode: 'mediaJam' },
    ],
    [
      { state: 'stopped', reasons: ['door-open'] },
      { state: 'userError', paper: 'full', cover: 'open', errorCode: 'coverOpen' },
    ],
    [
      { state: 'stopped', reasons: ['toner-empty-error'] },
      { state: 'userError', paper: 'full', cover: 'closed', errorCode: 'tonerEmpty' },
    ],
    [
      { state: 'stopped', reasons: ['paused'] },
      { state: 'offline', paper: 'full', cover: 'closed' },
    ],
    [
      { state: 'stopped', reasons: ['fuser-over-temp-error'] },
      { state: 'hardwareError', paper: 'full', cover: 'closed', errorCode: 'fuser-over-temp' },
    ],
    [
      { state: 'stopped', reasons: [] },
      { state: 'offline', paper: 'full', cover: 'closed' },
    ],
  ] as const)('%o', (printer, expected) => {
    expect(ippToDeviceStatus({ ...printer, reasons: [...printer.reasons], acceptingJobs: true })).toEqual(expected)
  })
})
