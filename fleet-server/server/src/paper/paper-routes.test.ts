import { sampleHealth } from '@kiosk-fleet/protocol'
import type { PaperForecastList } from '@kiosk-fleet/protocol/http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emptyBatch } from '../ingest/ingest-batch.ts'
import { IngestStore } from '../ingest/ingest-store.ts'
import { createRouteTestApp, type RouteTestApp } from '../route-test-app.ts'

// The route-test app seeds kiosk-a (public-security, Epson receipt printer reporting 1,200 mm left,
// no usage counter) and kiosk-b (tax, site-b). Here kiosk-b's A4 printer reports a week of use.
const DAY = 86_400_000
const NOW = 1_764_000_000_000 + 7 * DAY

let t: RouteTestApp
const list = async (cookie: string, query = '') => {
  const response = await t.app.inject({ url: `/api/paper-forecast${query}`, headers: { cookie } })
  expect(response.statusCode).toBe(200)
  return (response.json() as PaperForecastList).printers
}

beforeAll(async () => {
  t = await createRouteTestApp({ clock: () => NOW })
  const batch = emptyBatch()
  const a4 = (seq: number, ts: number, sheetsPrinted: number, sheetsRemaining: number) =>
    batch.health.push({
      kioskId: 'kiosk-b',
      receivedAt: ts,
      payload: sampleHealth({
        seq,
        ts,
        peripherals: [
          { deviceId: 'a4', status: { state: 'online', paper: 'full' }, counters: { sheetsPrinted, sheetsRemaining } },
        ],
      }),
    })
  a4(1, NOW - 60_000 - 6 * DAY, 100, 400) // the oldest snapshot of the last week
  a4(2, NOW - 60_000, 400, 100) // 300 sheets in 6 days: 50 a day, 100 left: 2 days
  await new IngestStore(t.db).writeBatch(batch)
})
afterAll(async () => t.close())

describe('GET /api/paper-forecast', () => {
  it('lists printers by days until their paper runs out, unknown rates last', async () => {
    const printers = await list(t.cookies.admin)
    expect(printers.map((p) => [p.kioskId, p.deviceId, p.kind, p.remaining, p.usedPerDay, p.daysLeft])).toEqual([
      ['kiosk-b', 'a4', 'a4', 100, 50, 2],
      ['kiosk-a', 'receipt', 'receipt', 1200, null, null],
    ])
    expect(printers[0]).toMatchObject({
      site: { id: 'site-b' },
      model: 'M404',
      unit: 'sheets',
      paper: 'full',
      emptyAt: new Date(NOW - 60_000 + 2 * DAY).toISOString(),
    })
    expect((await list(t.cookies.admin, '?kioskId=kiosk-a')).map((p) => p.deviceId)).toEqual(['receipt'])
  })

  it('shows each caller only the printers in its scope', async () => {
    expect((await list(t.cookies.department)).map((p) => p.kioskId)).toEqual(['kiosk-a'])
    expect((await list(t.cookies.site)).map((p) => p.kioskId)).toEqual(['kiosk-b'])
    // Vic (vendor id epson) sees Epson's receipt printer, not HP's A4 printer.
    expect((await list(t.cookies.vendor)).map((p) => p.deviceId)).toEqual(['receipt'])
    const anonymous = await t.app.inject({ url: '/api/paper-forecast' })
    expect(anonymous.statusCode).toBe(401)
  })
})
