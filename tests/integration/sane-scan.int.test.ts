import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DeviceStatus } from '@drivers/core'
import { SaneScanner } from '@drivers/scanner-sane'
import { injectSaneStatus, type SaneTestBackend } from '@drivers/scanner-sane/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSaneTestBackend } from '../support/sane.ts'

let backend: SaneTestBackend
let out: string

beforeAll(async () => {
  backend = await startSaneTestBackend()
  out = mkdtempSync(join(tmpdir(), 'sane-out-'))
})
afterAll(async () => {
  await backend?.remove()
  if (out) rmSync(out, { recursive: true, force: true })
})

const scanner = (extraArgs: string[] = [], device = 'test:0') =>
  new SaneScanner({ device, env: backend.env, extraArgs })

/** PNG IHDR: width, height, colour type (2 = RGB, 0 = gray). */
function pngInfo(path: string): { width: number; height: number; colourType: number } {
  const png = readFileSync(path)
  expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47])
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colourType: png[25]! }
}

describe('SANE scanimage with the test backend', () => {
  it('lists the virtual devices', async () => {
    const result = await scanner().listDevices()
    if (!result.ok) throw new Error(result.error.message)
    expect(result.value.map((d) => d.name)).toEqual(['test:0', 'test:1'])
    expect(result.value[0]).toMatchObject({ vendor: 'Noname', model: 'frontend-tester' })
  })

  it('scans a colour page to PNG at the chosen resolution (80×100 mm at 150 dpi)', async () => {
    const path = join(out, 'page.png')
    const result = await scanner(['--test-picture', 'Color pattern']).scan(path, { mode: 'color', resolution: 150 })
    if (!result.ok) throw new Error(result.error.message)
    expect(result.value.pages).toEqual([{ path, bytes: expect.any(Number) }])
    expect(pngInfo(path)).toEqual({ width: 472, height: 590, colourType: 2 })
  })

  it('scans a grey page to PDF', async () => {
    const path = join(out, 'page.pdf')
    const result = await scanner().scan(path, { mode: 'gray', resolution: 75 })
    expect(result.ok).toBe(true)
    expect(readFileSync(path).subarray(0, 5).toString()).toBe('%PDF-')
  })

  it('scans an ADF batch until the feeder is empty (10 pages), or up to maxPages', async () => {
    const s = scanner()
    const events: string[] = []
    s.on('pageScanned', (p) => events.push(p.path))
    const all = await s.scan(join(out, 'adf-%d.png'), { source: 'adf', resolution: 50, mode: 'gray' })
    if (!all.ok) throw new Error(all.error.message)
    expect(all.value.pages).toHaveLength(10)
    expect(all.value.pageCount).toBe(10)
    expect(events).toHaveLength(10)
    const three = await s.scan(join(out, 'three-%d.png'), { source: 'adf', resolution: 50, maxPages: 3 })
    expect(three.ok && three.value.pages.map((p) => p.path.split('/').at(-1))).toEqual([
      'three-1.png',
      'three-2.png',
      'three-3.png',
    ])
    expect(s.getCounters()).toMatchObject({ scans: 2, pages: 13 })
  })

  it.each([
    ['SANE_STATUS_JAMMED', 'hardwareError', 'mediaJam', { state: 'userError', media: 'jammed', errorCode: 'mediaJam' }],
    ['SANE_STATUS_NO_DOCS', 'deviceNotReady', 'noMedia', { state: 'online', media: 'notPresent' }],
    [
      'SANE_STATUS_COVER_OPEN',
      'deviceNotReady',
      'coverOpen',
      { state: 'userError', cover: 'open', errorCode: 'coverOpen' },
    ],
  ] as const)('maps an injected %s to a %s/%s result and the device status', async (status, code, detail, expected) => {
    const s = scanner(injectSaneStatus(status))
    const changes: DeviceStatus[] = []
    s.on('statusChanged', (next) => changes.push(next))
    const result = await s.scan(join(out, `fail-${detail}.png`), { resolution: 75 })
    expect(result).toMatchObject({ ok: false, error: { code, detail } })
    expect(s.getStatus()).toEqual(expected)
    expect(changes.at(-1)).toEqual(expected)
    expect(s.getCounters()).toMatchObject({ scansFailed: 1 })
  })

  it('recovers to online after the fault clears', async () => {
    const jam = new SaneScanner({
      device: 'test:0',
      env: backend.env,
      extraArgs: injectSaneStatus('SANE_STATUS_JAMMED'),
    })
    await jam.scan(join(out, 'jam.png'), { resolution: 75 })
    expect(jam.getStatus().state).toBe('userError')
    const healthy = scanner()
    expect((await healthy.scan(join(out, 'after.png'), { resolution: 75 })).ok).toBe(true)
    expect(healthy.getStatus()).toEqual({ state: 'online' })
  })

  it('cancels a slow scan in progress', async () => {
    const s = scanner(['--read-delay=yes', '--read-delay-duration', '200000'])
    const running = s.scan(join(out, 'slow.png'), { resolution: 600, mode: 'gray' })
    await new Promise((r) => setTimeout(r, 500))
    expect(s.getStatus().state).toBe('busy')
    s.cancel()
    expect(await running).toMatchObject({ ok: false, error: { code: 'canceled', detail: 'canceled' } })
    expect(s.getStatus()).toEqual({ state: 'online' })
    expect(s.getCounters()).toMatchObject({ canceled: 1 })
  })

  it('reports an unknown device as noDevice', async () => {
    const s = scanner([], 'nosuch:0')
    expect(await s.scan(join(out, 'none.png'), { resolution: 75 })).toMatchObject({
      ok: false,
      error: { code: 'deviceNotReady', detail: 'noDevice' },
    })
    expect(s.getStatus()).toEqual({ state: 'noDevice', errorCode: 'noDevice' })
  })
})
