import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AlertRecord } from '../alerts/alert-engine.ts'
import { toAlertRecord } from '../alerts/alert-engine.ts'
import { AlertNotifier } from '../alerts/alert-notifier.ts'
import { createRouteTestApp, METRICS_TOKEN, type RouteTestApp } from '../route-test-app.ts'

const GRAFANA = new URL('../../../../docs/grafana/fleet-dashboard.json', import.meta.url)

let t: RouteTestApp
let notifier: AlertNotifier | undefined
let hooks: Server
let hooksUrl = ''

/** One scrape, as Prometheus does it (with the scrape token). */
async function scrape(): Promise<string> {
  const response = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  expect(response.statusCode).toBe(200)
  return response.body
}

/** The value of one series, or undefined when the scrape does not have it. */
function value(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

beforeAll(async () => {
  // A webhook receiver: /ok takes the notification, /down refuses it.
  hooks = createServer((req, res) => {
    req.resume()
    res.statusCode = req.url === '/ok' ? 200 : 503
    res.end()
  })
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve))
  hooksUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`
  t = await createRouteTestApp({
    notifications: {
      get stats() {
        return (notifier as AlertNotifier).stats
      },
    },
  })
  notifier = new AlertNotifier({
    settings: async () => ({
      routes: [{ webhook: `${hooksUrl}/ok` }, { webhook: `${hooksUrl}/down` }],
      groupWaitMs: 0,
      retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    }),
    db: t.db,
    logger: pino({ level: 'silent' }),
  })
})
afterAll(async () => {
  await notifier?.close()
  await t.close()
  await new Promise((resolve) => hooks.close(resolve))
})

describe('/metrics', () => {
  it('exposes ingest, alerts, notifications, devices, rollouts and HTTP after real activity', async () => {
    // Ingest: one good health snapshot and one that is not JSON.
    const health = sampleHealth({ seq: 50, ts: 1_764_000_100_000 })
    t.ingestor.accept('kiosk/v1/kiosk-a/health', new TextEncoder().encode(JSON.stringify(health)))
    t.ingestor.accept('kiosk/v1/kiosk-a/health', new TextEncoder().encode('{not json'))
    await t.ingestor.flush()
    // Notifications: the seeded paper-low alert goes to a receiver that takes it and one that is down.
    const [row] = await t.db.query<Parameters<typeof toAlertRecord>[0]>('SELECT * FROM alerts LIMIT 1')
    const alert = toAlertRecord(row as Parameters<typeof toAlertRecord>[0]) satisfies AlertRecord
    await notifier?.notify([{ kind: 'raised', alert }])
    await notifier?.flush()
    // Rollouts: one running rollout with one kiosk succeeded and one failed.
    await t.db.exec(`
      INSERT INTO artifacts (id, kind, version, target_path, status, uploaded_by)
        VALUES ('app-1', 'app', '1.0.0', 'app/1.0.0.tar', 'ready', 'ada');
      INSERT INTO rollouts (id, name, artifact_id, target_filter, groups, success_threshold, error_threshold,
                            error_min_sample, install_mode, kiosk_timeout_ms, status, created_by)
        VALUES ('r1', 'r1', 'app-1', '{}', '[{"percent":100}]', 0.9, 0.5, 1, 'immediate', 60000, 'running', 'ada');
      INSERT INTO rollout_kiosks (rollout_id, kiosk_id, group_index, state)
        VALUES ('r1', 'kiosk-a', 0, 'succeeded'), ('r1', 'kiosk-b', 0, 'failed');
    `)
    // HTTP: a listed route, one kiosk (its id must not become a label) and a path nobody serves.
    expect((await t.app.inject({ url: '/api/kiosks', headers: { cookie: t.cookies.admin } })).statusCode).toBe(200)
    await t.app.inject({ url: '/api/kiosks/kiosk-a', headers: { cookie: t.cookies.admin } })
    await t.app.inject({ url: '/no/such/path' })

    const body = await scrape()
    expect(value(body, 'fleet_ingest_messages_total{outcome="written"}')).toBe(1)
    expect(value(body, 'fleet_ingest_messages_total{outcome="invalid_notJson"}')).toBe(1)
    expect(value(body, 'fleet_ingest_batches_total')).toBe(1)
    expect(value(body, 'fleet_ingest_commit_lag_seconds_total')).toBeGreaterThanOrEqual(0)
    expect(value(body, 'fleet_alerts_open{rule="paperLow",severity="warning",state="active"}')).toBe(1)
    expect(value(body, 'fleet_alert_notifications_total{channel="webhook",outcome="sent"}')).toBe(1)
    expect(value(body, 'fleet_alert_notifications_total{channel="webhook",outcome="failed"}')).toBe(1)
    expect(value(body, 'fleet_devices{device_class="receiptPrinter",state="online"}')).toBe(1)
    expect(value(body, 'fleet_rollouts{status="running"}')).toBe(1)
    expect(value(body, 'fleet_rollout_kiosks{rollout_status="running",state="succeeded"}')).toBe(1)
    expect(value(body, 'fleet_rollout_kiosks{rollout_status="running",state="failed"}')).toBe(1)
    expect(value(body, 'fleet_http_requests_total{method="GET",route="/api/kiosks",status_code="200"}')).toBe(1)
    expect(value(body, 'fleet_http_requests_total{method="GET",route="/api/kiosks/:id",status_code="200"}')).toBe(1)
    expect(value(body, 'fleet_http_requests_total{method="GET",route="unmatched",status_code="404"}')).toBe(1)
    expect(value(body, 'fleet_http_request_duration_seconds_count{method="GET",route="/api/kiosks"}')).toBe(1)
    // Bounded labels: no kiosk id in any series.
    expect(body.split('\n').filter((l) => !l.startsWith('#') && l.includes('kiosk-a'))).toEqual([])
  })

  it('the Grafana dashboard uses only metric names the server exports', async () => {
    const exported = new Set<string>()
    for (const line of (await scrape()).split('\n')) {
      const m = /^# TYPE (\S+) (\S+)/.exec(line)
      if (m === null) continue
      const [, name, type] = m as unknown as [string, string, string]
      exported.add(name)
      if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(`${name}${s}`)
    }
    const dashboard = JSON.parse(readFileSync(GRAFANA, 'utf8')) as {
      panels: { title: string; targets?: { expr: string }[] }[]
    }
    const used = new Set<string>()
    for (const panel of dashboard.panels)
      for (const target of panel.targets ?? [])
        for (const name of target.expr.match(/\bfleet_[a-z0-9_]+/g) ?? []) used.add(name)
    expect(used.size).toBeGreaterThan(10)
    expect([...used].filter((name) => !exported.has(name))).toEqual([])
  })
})
