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

describe('IPP codec edge cases', () => {
  const empty = new Uint8Array(0)
  const header = [0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01]

  it('reports structural errors as invalidData', () => {
    const unknownGroup = decodeIppMessage(Uint8Array.from([...header, 0x09, 0x03]))
    expect(unknownGroup).toMatchObject({ ok: false, error: { code: 'invalidData' } })
    const beforeGroup = decodeIppMessage(
      Uint8Array.from([...header, 0x21, 0x00, 0x01, 0x61, 0x00, 0x04, 0, 0, 0, 1, 0x03]),
    )
    expect(beforeGroup).toMatchObject({ ok: false, error: { message: expect.stringMatching(/before any group/) } })
    const orphan = decodeIppMessage(Uint8Array.from([...header, 0x01, 0x21, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 1, 0x03]))
    expect(orphan).toMatchObject({ ok: false, error: { message: expect.stringMatching(/additional value/) } })
    const badCollection = decodeIppMessage(
      Uint8Array.from([...header, 0x04, 0x34, 0x00, 0x01, 0x63, 0x00, 0x00, 0x21, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 1]),
    )
    expect(badCollection.ok).toBe(false)
  })

  it('keeps unknown value tags as raw bytes and the document after the end tag', () => {
    const bytes = Uint8Array.from([...header, 0x01, 0x7f, 0x00, 0x01, 0x78, 0x00, 0x02, 0xab, 0xcd, 0x03, 0x25, 0x50])
    const decoded = decodeIppMessage(bytes)
    expect(decoded).toMatchObject({ ok: true })
    if (!decoded.ok) return
    expect(decoded.value.groups[0]?.attributes[0]).toEqual({
      name: 'x',
      tag: 'octetString',
      values: [Uint8Array.of(0xab, 0xcd)],
    })
    expect(decoded.value.data).toEqual(Uint8Array.of(0x25, 0x50))
  })

  it.each([
    ['boolean', 'yes'],
    ['rangeOfInteger', 3],
    ['resolution', 3],
    ['dateTime', { date: Uint8Array.of(1) }],
    ['textWithLanguage', 'plain'],
    ['octetString', 5],
    ['keyword', 5],
    ['begCollection', 'x'],
  ] as const)('refuses a %s holding %o', (tag, value) => {
    const message = { version: [2, 0] as [number, number], code: 2, requestId: 1, data: empty }
    expect(() =>
      encodeIppMessage({ ...message, groups: [{ group: 'operation', attributes: [attr('a', tag, value as never)] }] }),
    ).toThrow(TypeError)
  })

  it('refuses an attribute without values', () => {
    const message = { version: [2, 0] as [number, number], code: 2, requestId: 1, data: empty }
    expect(() =>
      encodeIppMessage({ ...message, groups: [{ group: 'job', attributes: [attr('copies', 'integer')] }] }),
    ).toThrow(/no values/)
  })

  it('sends copies only when more than one is asked for', () => {
    const base = {
      printerUri: 'ipp://h/p',
      requestId: 1,
      userName: 'k',
      jobName: 'j',
      documentFormat: 'application/pdf',
      document: empty,
    }
    expect(printJobRequest({ ...base, copies: 1 }).groups.map((g) => g.group)).toEqual(['operation'])
    expect(printJobRequest({ ...base, copies: 2 }).groups.map((g) => g.group)).toEqual(['operation', 'job'])
  })
})
