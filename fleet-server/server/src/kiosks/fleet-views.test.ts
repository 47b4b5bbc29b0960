// Search, filter and paging of kiosks, alerts and the site tree over a fleet of the seed city's size:
// 20,000 kiosks on 135 town centres and 2,700 village stations (plus the two kiosks of the route
// test app), seeded with generate_series. Expected counts follow from the seeding rules below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRouteTestApp, type RouteTestApp } from '../route-test-app.ts'

const N = 20_000
const TYPES = ['id', 'license', 'tax', 'social-security', 'comprehensive']
const DEPARTMENTS = ['public-security', 'market-regulation', 'tax', 'human-resources', 'government-services']
/** The seeding rules, as the SQL below applies them to kiosk number i (1..N). */
const rule = {
  town: (i: number) => i % 135,
  station: (i: number) => Math.floor(i / 135) % 21,
  county: (i: number) => `测试县${(i % 135) % 12}`,
  machineType: (i: number) => TYPES[i % 5],
  department: (i: number) => DEPARTMENTS[i % 5],
  offline: (i: number) => i % 40 === 0,
  appVersion: (i: number) => (i % 10 === 0 ? '2.1.0' : '2.0.0'),
  printerFirmware: (i: number) => (i % 100 === 0 ? '31.00' : '30.02'),
  paperOut: (i: number) => i % 50 === 0,
  serviceBlocked: (i: number) => i % 30 === 0,
}
/** Alert j (1..ALERTS) is on kiosk j, raised j minutes after 2026-01-01, rule and state as below. */
const ALERTS = 6000
const RULES = ['kioskOffline', 'deviceFault', 'paperOut']
const SEVERITIES = ['critical', 'warning', 'critical']
const ALERT_STATES = ['active', 'cleared', 'resolved']
const alert = {
  rule: (j: number) => RULES[j % 3],
  severity: (j: number) => SEVERITIES[j % 3],
  state: (j: number) => ALERT_STATES[j % 3],
  acknowledged: (j: number) => j % 4 === 0,
  raisedAt: (j: number) => new Date(Date.UTC(2026, 0, 1) + j * 60_000).toISOString(),
}
const alertIds = Array.from({ length: ALERTS }, (_, j) => j + 1)
const countAlerts = (pred: (j: number) => boolean) => alertIds.filter(pred).length
const seeded = Array.from({ length: N }, (_, j) => j + 1)
const count = (pred: (i: number) => boolean) => seeded.filter(pred).length
const kioskId = (i: number) => `f${String(i).padStart(5, '0')}`

let t: RouteTestApp
const as = (role: keyof RouteTestApp['cookies']) => ({ cookie: t.cookies[role] })
const get = async (url: string, role: keyof RouteTestApp['cookies'] = 'admin') => {
  const response = await t.app.inject({ url, headers: as(role) })
  expect(response.statusCode, response.body).toBe(200)
  return response.json()
}

beforeAll(async () => {
  t = await createRouteTestApp()
  await t.db.exec(`
    INSERT INTO sites (id, name, kind, city, county, town, latitude, longitude)
    SELECT CASE WHEN st = 0 THEN 'tc-' || tw ELSE 'vs-' || tw || '-' || st END,
           CASE WHEN st = 0 THEN '镇' || tw || '便民服务中心' ELSE '村' || tw || '-' || st || '便民服务站' END,
           CASE WHEN st = 0 THEN 'townCentre' ELSE 'villageStation' END,
           '测试市', '测试县' || (tw % 12), '镇' || tw, 26.5 + tw * 0.01 + st * 0.001, 106.6 + tw * 0.01
    FROM generate_series(0, 134) AS tw CROSS JOIN generate_series(0, 20) AS st;

    INSERT INTO kiosks (id, machine_type, department, site_id, app_version, state, last_seen_at)
    SELECT 'f' || lpad(i::text, 5, '0'),
           (ARRAY['${TYPES.join("','")}'])[i % 5 + 1],
           (ARRAY['${DEPARTMENTS.join("','")}'])[i % 5 + 1],
           CASE WHEN (i / 135) % 21 = 0 THEN 'tc-' || (i % 135) ELSE 'vs-' || (i % 135) || '-' || ((i / 135) % 21) END,
           CASE WHEN i % 10 = 0 THEN '2.1.0' ELSE '2.0.0' END,
           CASE WHEN i % 40 = 0 THEN 'offline' ELSE 'online' END,
           now()
    FROM generate_series(1, ${N}) AS i;
    INSERT INTO kiosk_health (kiosk_id, health_seq, last_health)
    SELECT 'f' || lpad(i::text, 5, '0'), 1,
           jsonb_build_object('services', jsonb_build_array(
             jsonb_build_object('serviceId', 'id-progress', 'available', i % 30 <> 0, 'blockedBy', '[]'::jsonb),
             jsonb_build_object('serviceId', 'receipt-reprint', 'available', true, 'blockedBy', '[]'::jsonb)))
    FROM generate_series(1, ${N}) AS i;

    INSERT INTO peripherals (kiosk_id, device_id, device_class, vendor, model, serial, firmware, status, vendor_id)
    SELECT 'f' || lpad(i::text, 5, '0'), 'receipt', 'receiptPrinter', 'Epson', 'TM-T82III', 'E' || i,
           CASE WHEN i % 100 = 0 THEN '31.00' ELSE '30.02' END,
           CASE WHEN i % 50 = 0 THEN '{"state":"userError","paper":"out"}'::jsonb ELSE '{"state":"online","paper":"full"}'::jsonb END,
           'epson'
    FROM generate_series(1, ${N}) AS i
    UNION ALL
    SELECT 'f' || lpad(i::text, 5, '0'), 'idcard', 'idCardReader', 'Synjones', 'SS628', 'S' || i, '1.9.0',
           '{"state":"online"}'::jsonb, 'synjones'
    FROM generate_series(1, ${N}) AS i;

    INSERT INTO alerts (rule, kiosk_id, device_id, severity, state, latched, message, department, site_id, raised_at,
                        resolved_at, acknowledged_by, acknowledged_at)
    SELECT (ARRAY['${RULES.join("','")}'])[j % 3 + 1], k.id, 'receipt',
           (ARRAY['${SEVERITIES.join("','")}'])[j % 3 + 1],
           (ARRAY['${ALERT_STATES.join("','")}'])[j % 3 + 1], true, 'seeded', k.department, k.site_id,
           timestamptz '2026-01-01T00:00:00Z' + j * interval '1 minute',
           CASE WHEN j % 3 = 2 THEN timestamptz '2026-01-01T00:00:00Z' + j * interval '1 minute' + interval '1 hour' END,
           CASE WHEN j % 4 = 0 THEN 'ada' END,
           CASE WHEN j % 4 = 0 THEN timestamptz '2026-01-01T00:00:00Z' + j * interval '1 minute' END
    FROM generate_series(1, ${ALERTS}) AS j JOIN kiosks k ON k.id = 'f' || lpad(j::text, 5, '0');
  `)
})
afterAll(async () => t.close())

describe('kiosk search at 20,000 kiosks', () => {
  it('counts every match, not only the page', async () => {
    const all = await get('/api/kiosks?limit=50')
    expect(all).toMatchObject({ total: N + 2, offset: 0, limit: 50 })
    expect(all.kiosks).toHaveLength(50)
    const offline = await get('/api/kiosks?state=offline&limit=10')
    expect(offline.total).toBe(count(rule.offline))
    const filtered = await get('/api/kiosks?machineType=tax&department=tax&appVersion=2.1.0&limit=1')
    expect(filtered.total).toBe(count((i) => rule.machineType(i) === 'tax' && rule.appVersion(i) === '2.1.0'))
  })

  it('filters by county, town, site, device fault, firmware and service availability', async () => {
    expect((await get(`/api/kiosks?county=${encodeURIComponent('测试县3')}&limit=1`)).total).toBe(
      count((i) => rule.county(i) === '测试县3'),
    )
    const town = await get(`/api/kiosks?town=${encodeURIComponent('镇7')}&limit=500`)
    expect(town.total).toBe(count((i) => rule.town(i) === 7))
    expect(new Set(town.kiosks.map((k: { site: { town: string } }) => k.site.town))).toEqual(new Set(['镇7']))
    expect((await get('/api/kiosks?site=vs-7-3&limit=500')).total).toBe(
      count((i) => rule.town(i) === 7 && rule.station(i) === 3),
    )
    // kiosk-a's paper is low, which needs no one yet: not a fault.
    expect((await get('/api/kiosks?fault=true&limit=1')).total).toBe(count(rule.paperOut))
    expect((await get('/api/kiosks?fault=true&state=offline&limit=1')).total).toBe(
      count((i) => rule.paperOut(i) && rule.offline(i)),
    )
    expect((await get('/api/kiosks?firmware=31.00&limit=1')).total).toBe(
      count((i) => rule.printerFirmware(i) === '31.00'),
    )
    const blocked = await get('/api/kiosks?serviceUnavailable=true&limit=1')
    expect(blocked.total).toBe(count(rule.serviceBlocked))
    expect((await get('/api/kiosks?serviceUnavailable=false&limit=1')).total).toBe(N + 2 - count(rule.serviceBlocked))
  })

  it('searches kiosk ids and site names, taking % and _ literally', async () => {
    const byId = await get('/api/kiosks?q=F1234')
    const expected = seeded.map(kioskId).filter((id) => id.includes('f1234'))
    expect(byId.total).toBe(expected.length)
    expect(byId.kiosks.map((k: { id: string }) => k.id).sort()).toEqual(expected)
    const bySite = await get(`/api/kiosks?q=${encodeURIComponent('村7-3便民')}&limit=1`)
    expect(bySite.total).toBe(count((i) => rule.town(i) === 7 && rule.station(i) === 3))
    expect((await get('/api/kiosks?q=%25')).total).toBe(0)
    expect((await get('/api/kiosks?q=f_0001')).total).toBe(0)
  })

  it('pages through a filter without repeating or skipping a kiosk', async () => {
    const expected = seeded.filter(rule.offline).map(kioskId)
    const seen: string[] = []
    for (let offset = 0; ; offset += 77) {
      const page = await get(`/api/kiosks?state=offline&limit=77&offset=${offset}`)
      expect(page.total).toBe(expected.length)
      if (page.kiosks.length === 0) break
      seen.push(...page.kiosks.map((k: { id: string }) => k.id))
    }
    expect(seen).toHaveLength(expected.length)
    expect([...seen].sort()).toEqual([...expected].sort())
  })

  it('keeps each principal to its scope, in the rows and in the total', async () => {
    const dept = await get('/api/kiosks?limit=1', 'department')
    expect(dept.total).toBe(count((i) => rule.department(i) === 'public-security') + 1) // + kiosk-a
    expect((await get('/api/kiosks?department=tax&limit=1', 'department')).total).toBe(0)
    const site = await get('/api/kiosks?q=f&limit=10', 'site')
    expect(site.total).toBe(0)
    expect((await get('/api/kiosks', 'site')).kiosks.map((k: { id: string }) => k.id)).toEqual(['kiosk-b'])
    // Epson's own printers: its firmware is found, another vendor's (Synjones) is not, nor its faults.
    expect((await get('/api/kiosks?firmware=31.00&limit=1', 'vendor')).total).toBe(
      count((i) => rule.printerFirmware(i) === '31.00'),
    )
    expect((await get('/api/kiosks?firmware=1.9.0&limit=1', 'vendor')).total).toBe(0)
    const vendorPage = await get('/api/kiosks?limit=3&offset=100', 'vendor')
    for (const k of vendorPage.kiosks) expect(k.peripherals.map((p: { vendor: string }) => p.vendor)).toEqual(['Epson'])
  })

  it('rejects bad search input with a stable code', async () => {
    for (const query of ['fault=maybe', 'limit=5001', 'offset=-1', `q=${'x'.repeat(101)}`]) {
      const response = await t.app.inject({ url: `/api/kiosks?${query}`, headers: as('admin') })
      expect(response.statusCode, query).toBe(400)
      expect(response.json()).toMatchObject({ code: 'ERR_FLEET_BAD_REQUEST' })
    }
  })
})

describe('site tree at 2,835 sites', () => {
  it('counts kiosks, offline and faults per county, town and site, agreeing with the search', async () => {
    const { counties } = await get('/api/sites/tree')
    const test = counties.filter((c: { city: string }) => c.city === '测试市')
    expect(test).toHaveLength(12)
    const sum = (key: string) => test.reduce((n: number, c: Record<string, number>) => n + (c[key] ?? 0), 0)
    expect(sum('kiosks')).toBe(N)
    expect(sum('offline')).toBe(count(rule.offline))
    expect(sum('faults')).toBe(count(rule.paperOut))
    const county3 = test.find((c: { county: string }) => c.county === '测试县3')
    expect(county3.faults).toBe(count((i) => rule.county(i) === '测试县3' && rule.paperOut(i)))
    const town7 = counties
      .flatMap((c: { towns: unknown[] }) => c.towns)
      .find((tw: { town: string }) => tw.town === '镇7')
    expect(town7.kiosks).toBe((await get(`/api/kiosks?town=${encodeURIComponent('镇7')}&limit=1`)).total)
    expect(town7.sites[0]).toMatchObject({ id: 'tc-7', kind: 'townCentre' })
    expect(town7.sites).toHaveLength(21)
    const station = town7.sites.find((s: { id: string }) => s.id === 'vs-7-3')
    expect(station.kiosks).toBe(count((i) => rule.town(i) === 7 && rule.station(i) === 3))
  })

  it('shows a scoped user only the sites and counts of its kiosks', async () => {
    const { counties } = await get('/api/sites/tree', 'site')
    expect(counties).toHaveLength(1)
    expect(counties[0].towns[0].sites.map((s: { id: string; kiosks: number }) => [s.id, s.kiosks])).toEqual([
      ['site-b', 1],
    ])
    // A vendor's faults are its own devices' faults (Epson's printers out of paper).
    const vendor = (await get('/api/sites/tree', 'vendor')).counties
    expect(vendor.reduce((n: number, c: { faults: number }) => n + c.faults, 0)).toBe(count(rule.paperOut))
  })
})

describe('alert history', () => {
  const since = encodeURIComponent('2026-01-01T00:00:00Z')

  it('filters by state, rule, severity, kiosk, site and time range, with true totals', async () => {
    const resolved = await get(`/api/alerts?state=resolved&from=${since}&limit=5`)
    expect(resolved.total).toBe(countAlerts((j) => alert.state(j) === 'resolved'))
    expect(resolved.alerts).toHaveLength(5)
    expect((await get(`/api/alerts?state=all&from=${since}&limit=1`)).total).toBe(ALERTS)
    // Open alerts are not capped at a page: the seeded ones plus kiosk-a's paper-low warning.
    expect((await get('/api/alerts?limit=1')).total).toBe(countAlerts((j) => alert.state(j) !== 'resolved') + 1)
    expect((await get(`/api/alerts?state=acknowledged&from=${since}&limit=1`)).total).toBe(
      countAlerts((j) => alert.state(j) !== 'resolved' && alert.acknowledged(j)),
    )
    expect((await get('/api/alerts?state=all&rule=deviceFault&limit=1')).total).toBe(
      countAlerts((j) => alert.rule(j) === 'deviceFault'),
    )
    expect((await get(`/api/alerts?state=all&severity=critical&from=${since}&limit=1`)).total).toBe(
      countAlerts((j) => alert.severity(j) === 'critical'),
    )
    const window = await get(
      `/api/alerts?state=all&from=${encodeURIComponent(alert.raisedAt(100))}&to=${encodeURIComponent(alert.raisedAt(200))}&limit=1000`,
    )
    expect(window.total).toBe(100)
    expect(window.alerts.map((a: { kioskId: string }) => a.kioskId).sort()).toEqual(
      alertIds.filter((j) => j >= 100 && j < 200).map(kioskId),
    )
    const one = await get(`/api/alerts?state=all&kiosk=${kioskId(42)}`)
    expect(one.alerts.map((a: { rule: string }) => a.rule)).toEqual([alert.rule(42)])
    expect((await get('/api/alerts?state=all&site=vs-7-3&limit=1')).total).toBe(
      countAlerts((j) => rule.town(j) === 7 && rule.station(j) === 3),
    )
  })

  it('pages without repeating or skipping an alert of equal severity and time', async () => {
    // Half the seeded alerts share a severity; ties on time are broken by id.
    await t.db.exec(`UPDATE alerts SET raised_at = timestamptz '2026-03-01T00:00:00Z' WHERE rule = 'paperOut'`)
    const expected = countAlerts((j) => alert.rule(j) === 'paperOut')
    const seen = new Set<number>()
    for (let offset = 0; offset < expected + 300; offset += 300) {
      const page = await get(`/api/alerts?state=all&rule=paperOut&limit=300&offset=${offset}`)
      expect(page.total).toBe(expected)
      for (const a of page.alerts) seen.add(a.id)
    }
    expect(seen.size).toBe(expected)
  })

  it('keeps each principal to its scope, in the rows and in the total', async () => {
    const dept = await get(`/api/alerts?state=all&from=${since}&limit=1`, 'department')
    expect(dept.total).toBe(countAlerts((j) => rule.department(j) === 'public-security'))
    expect((await get('/api/alerts?state=all&limit=1', 'site')).total).toBe(0)
    // Alerts of Epson's receipt printers are the vendor's; those on other devices would not be.
    await t.db.exec(`UPDATE alerts SET device_id = 'idcard' WHERE kiosk_id = '${kioskId(9)}'`)
    expect((await get(`/api/alerts?state=all&from=${since}&limit=1`, 'vendor')).total).toBe(ALERTS - 1)
  })

  it('rejects a bad filter with a stable code', async () => {
    for (const query of ['state=snoozed', 'severity=loud', 'from=yesterday', 'limit=1001', 'offset=-3']) {
      const response = await t.app.inject({ url: `/api/alerts?${query}`, headers: as('admin') })
      expect(response.statusCode, query).toBe(400)
      expect(response.json()).toMatchObject({ code: 'ERR_FLEET_BAD_REQUEST' })
    }
  })
})
