import { describe, expect, it } from 'vitest'
import { parseDeviceList } from './device-list.ts'
import { saneFailure, saneStatusOf } from './sane-status.ts'
import { formatOf, scanArgs, scannedPageNumber } from './scan-args.ts'

describe('SANE statuses from scanimage', () => {
  it.each([
    [6, 'scanimage: sane_read: Document feeder jammed', 'jammed', 'mediaJam', { state: 'userError', media: 'jammed' }],
    [7, 'scanimage: sane_start: Document feeder out of documents', 'noDocs', 'noMedia', { media: 'notPresent' }],
    [8, 'scanimage: sane_read: Scanner cover is open', 'coverOpen', 'coverOpen', { state: 'userError', cover: 'open' }],
    [9, 'scanimage: sane_read: Error during device I/O', 'ioError', 'ioError', { state: 'hardwareError' }],
    [3, 'scanimage: sane_start: Device busy', 'deviceBusy', 'deviceBusy', { state: 'busy' }],
    [1, 'scanimage: open of device nosuch failed: Invalid argument', 'inval', 'noDevice', { state: 'noDevice' }],
    [11, '', 'accessDenied', 'accessDenied', { state: 'hardwareError' }],
    [2, 'scanimage: sane_read: Operation was cancelled', 'cancelled', 'canceled', { state: 'online' }],
    [4, 'scanimage: setting of option --mode failed (Invalid argument)', 'inval', 'invalidOption', { state: 'online' }],
    [1, 'scanimage: sane_start: Operation not supported', 'unsupported', 'invalidOption', { state: 'online' }],
    [42, 'something odd', 'ioError', 'ioError', { state: 'hardwareError' }],
  ] as const)('exit %i %j → %s', (exit, stderr, status, detail, deviceStatus) => {
    expect(saneStatusOf(exit, stderr)).toBe(status)
    const failure = saneFailure(exit, stderr)
    expect(failure.detail).toBe(detail)
    expect(failure.deviceStatus).toMatchObject(deviceStatus)
    expect(failure.message.length).toBeGreaterThan(0)
  })
})

describe('scanimage device list and arguments', () => {
  it('parses the tab-separated device list and skips other lines', () => {
    const out =
      'test:0\tNoname\tfrontend-tester\tvirtual device\ngarbage line\n\ntest:1\tNoname\tfrontend-tester\tvirtual device\n'
    expect(parseDeviceList(out)).toEqual([
      { name: 'test:0', vendor: 'Noname', model: 'frontend-tester', type: 'virtual device' },
      { name: 'test:1', vendor: 'Noname', model: 'frontend-tester', type: 'virtual device' },
    ])
  })

  it('always passes a resolution; flatbed writes one file, ADF a batch', () => {
    expect(scanArgs('test:0', '/tmp/p.png')).toEqual([
      '-d',
      'test:0',
      '--mode',
      'Color',
      '--resolution',
      '150',
      '--format=png',
      '-o',
      '/tmp/p.png',
    ])
    expect(
      scanArgs('test:0', '/tmp/p-%d.pdf', { source: 'adf', mode: 'gray', resolution: 300, maxPages: 3 }, undefined, [
        '--x',
      ]),
    ).toEqual([
      '-d',
      'test:0',
      '--mode',
      'Gray',
      '--resolution',
      '300',
      '--format=pdf',
      '--source',
      'Automatic Document Feeder',
      '--batch=/tmp/p-%d.pdf',
      '--batch-count=3',
      '--x',
    ])
  })

  it('rejects bad options with a TypeError naming the field', () => {
    expect(() => scanArgs('d', 'p.png', { resolution: 0 })).toThrow(/resolution/)
    expect(() => scanArgs('d', 'p.png', { format: 'gif' as 'png' })).toThrow(/format/)
    expect(() => scanArgs('d', 'p.png', { mode: 'sepia' as 'gray' })).toThrow(/mode/)
    expect(() => scanArgs('d', 'p.png', { source: 'tray' as 'adf' })).toThrow(/source/)
    expect(() => scanArgs('d', 'p.png', { source: 'adf' })).toThrow(/%d/)
    expect(() => scanArgs('d', 'p%d.png', { source: 'adf', maxPages: 0 })).toThrow(/maxPages/)
  })

  it('reads formats from extensions and page numbers from batch output', () => {
    expect(['a.pdf', 'a.JPG', 'a.tif', 'a.pnm', 'a.png', 'a'].map(formatOf)).toEqual([
      'pdf',
      'jpeg',
      'tiff',
      'pnm',
      'png',
      'png',
    ])
    expect(scannedPageNumber('Scanned page 3. (scanner status = 5)')).toBe(3)
    expect(scannedPageNumber('Scanning page 3')).toBeUndefined()
  })
})
