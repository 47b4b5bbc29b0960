import { sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import type { AvailabilityReport } from '@kiosk-fleet/protocol/http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emptyBatch } from '../ingest/ingest-batch.ts'
import { IngestStore } from '../ingest/ingest-store.ts'
import { createRouteTestApp, type RouteTestApp } from '../route-test-app.ts'

// Two sites, one kiosk each, health every hour, one service (id-progress), over Monday 2 to
// Wednesday 4 November 2026; the 4th is a fleet holiday.
// - s-own (public-security kiosk k1) opens every day 08:00–12:00 (4 h). Monday: four snapshots in
//   the hours, one down, and one at 20:00 (closed, not counted): 3 h usable. Tuesday: one snapshot
//   at 08:30, then silent: 1 h usable of 4.
// - s-default (tax kiosk k2) has no hours of its own: the fleet default, Mon–Fri 09:00–17:00 (8 h).
//   Monday: eight snapshots, all up: 8 h. Tuesday: silent all day: 0 h of 8.
const MON = '2026-11-02'
const TUE = '2026-11-03'
const WED = '2026-11-04'
const at = (day: string, time: string) => Date.parse(`${day}T${time}:00+08:00`)

let t: RouteTestApp
const get = (url: string, cookie = t.cookies.admin) => t.app.inject({ url, headers: { cookie } })
const report = async (query: string, cookie?: string) => {
  const response = await get(`/api/services/availability-report?${query}`, cookie)
  expect(response.statusCode).toBe(200)
  return response.json() as AvailabilityReport
}

beforeAll(async () => {
  t = await createRouteTestApp()
  await t.db.query(`INSERT INTO site_schedules (site_id, opening_hours, updated_by) VALUES ('s-own', $1, 'ada')`, [
    JSON.stringify(
      Object.fromEntries(['0', '1', '2', '3', '4', '5', '6'].map((d) => [d, [{ start: '08:00', end: '12:00' }]])),
    ),
  ])
  await t.db.query(`INSERT INTO calendar_days (day, kind, name) VALUES ($1, 'holiday', 'test holiday')`, [WED])
  const batch = emptyBatch()
  let seq = 1
  const kiosk = (kioskId: string, siteId: string, department: string) =>
    batch.births.push({
      kioskId,
      receivedAt: at(MON, '00:00'),
      payload: sampleBirth({
        kioskId,
        department,
        healthIntervalMs: 3_600_000,
        site: { ...sampleBirth().site, id: siteId, name: `${siteId} station` },
      }),
    })
  const health = (kioskId: string, ts: number, available: boolean) =>
    batch.health.push({
      kioskId,
      receivedAt: ts,
      payload: sampleHealth({ seq: seq++, ts, services: [{ serviceId: 'id-progress', available, blockedBy: [] }] }),
    })
  kiosk('k1', 's-own', 'public-security')
  kiosk('k2', 's-default', 'tax')
  for (const [time, up] of [
    ['08:30', true],
    ['09:30', true],
    ['10:30', false],
    ['11:30', true],
    ['20:00', false],
  ] as const)
    health('k1', at(MON, time), up)
  health('k1', at(TUE, '08:30'), true)
  for (const hour of [9, 10, 11, 12, 13, 14, 15, 16]) health('k2', at(MON, `${hour}:30`.padStart(5, '0')), true)
  await new IngestStore(t.db).writeBatch(batch)
})
afterAll(async () => t.close())

describe('availability report', () => {
  it('gives each site the share of its opening hours the service was usable, silence counting as not', async () => {
    const r = await report(`from=${MON}&to=${WED}&by=site`)
    expect(r.rows.map((x) => [x.site?.id, x.serviceId, x.kiosks, x.openHours, x.usableHours, x.share])).toEqual([
      ['s-default', 'id-progress', 1, 16, 8, 0.5],
      ['s-own', 'id-progress', 1, 8, 4, 0.5],
    ])
    expect(r.rows[0]).toMatchObject({ site: { name: 's-default station' }, department: 'public-security' })
  })

  it('splits by day: a holiday has no opening hours and no share', async () => {
    const r = await report(`from=${MON}&to=${WED}&by=site&per=day`)
    const own = r.rows.filter((x) => x.site?.id === 's-own').map((x) => [x.day, x.openHours, x.usableHours, x.share])
    expect(own).toEqual([
      [MON, 4, 3, 0.75],
      [TUE, 4, 1, 0.25],
      [WED, 0, 0, null],
    ])
  })

  it('sums every site per service, within the caller’s departments', async () => {
    const all = await report(`from=${MON}&to=${TUE}&by=service`)
    expect(all.rows.map((x) => [x.site, x.serviceId, x.kiosks, x.openHours, x.usableHours, x.share])).toEqual([
      [null, 'id-progress', 2, 24, 12, 0.5],
    ])
    // dora's department is public-security: only k1.
    const own = await report(`from=${MON}&to=${TUE}&by=service`, t.cookies.department)
    expect(own.rows.map((x) => [x.kiosks, x.openHours, x.usableHours])).toEqual([[1, 8, 4]])
    // sam's site (site-b) has no kiosk reporting in the range.
    expect((await report(`from=${MON}&to=${TUE}`, t.cookies.site)).rows).toEqual([])
  })

  it('exports the same rows as CSV for a spreadsheet', async () => {
    const response = await get(`/api/services/availability-report.csv?from=${MON}&to=${WED}&by=site`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="availability-by-site-${MON}-${WED}.csv"`,
    )
    expect(response.body).toBe(
      '\uFEFF' +
        [
          'site_id,site_name,service_id,service_name,department,from,to,kiosks,open_hours,usable_hours,usable_percent',
          `s-default,s-default station,id-progress,身份证办理进度,public-security,${MON},${WED},1,16,8,50.00`,
          `s-own,s-own station,id-progress,身份证办理进度,public-security,${MON},${WED},1,8,4,50.00`,
        ].join('\r\n') +
        '\r\n',
    )
  })

  it('refuses a reversed, impossible or too long range with a stable code, and anonymous callers', async () => {
    for (const query of [`from=${TUE}&to=${MON}`, 'from=2025-01-01&to=2026-12-31']) {
      const response = await get(`/api/services/availability-report?${query}`)
      expect(response.statusCode).toBe(400)
      expect(response.json().code).toBe('ERR_FLEET_REPORT_RANGE_INVALID')
    }
    for (const query of [`from=${MON}&by=site`, 'from=2026-02-30&to=2026-03-01', `from=${MON}&to=${TUE}&by=county`])
      expect((await get(`/api/services/availability-report?${query}`)).json().code).toBe('ERR_FLEET_BAD_REQUEST')
    const anonymous = await t.app.inject({ url: `/api/services/availability-report.csv?from=${MON}&to=${TUE}` })
    expect(anonymous.statusCode).toBe(401)
  })
})
