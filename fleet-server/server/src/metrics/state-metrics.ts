import { Gauge, type Registry } from 'prom-client'
import type { Database } from '../db/database.ts'

/**
 * Fleet state read from the database at scrape time: open alerts, peripherals, rollouts and their
 * kiosks. Every label is a small closed set (rule, severity, class, state); never a kiosk id, so a
 * fleet of 20,000 kiosks is still a few dozen series.
 */
export function registerStateMetrics(registry: Registry, db: Database): void {
  new Gauge({
    name: 'fleet_alerts_open',
    help: 'alerts not yet resolved, by rule, severity and state (active, or cleared and waiting for an acknowledgement)',
    labelNames: ['rule', 'severity', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset()
      const rows = await db.query<{ rule: string; severity: string; state: string; n: number }>(
        "SELECT rule, severity, state, count(*)::int AS n FROM alerts WHERE state <> 'resolved' GROUP BY 1, 2, 3",
      )
      for (const r of rows) this.set({ rule: r.rule, severity: r.severity, state: r.state }, r.n)
    },
  })
  new Gauge({
    name: 'fleet_devices',
    help: 'peripherals by device class and reported state (unknown: no status yet)',
    labelNames: ['device_class', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset()
      const rows = await db.query<{ device_class: string | null; state: string | null; n: number }>(
        `SELECT device_class, status ->> 'state' AS state, count(*)::int AS n FROM peripherals GROUP BY 1, 2`,
      )
      for (const r of rows) this.set({ device_class: r.device_class ?? 'unknown', state: r.state ?? 'unknown' }, r.n)
    },
  })
  new Gauge({
    name: 'fleet_rollouts',
    help: 'rollouts by status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset()
      const rows = await db.query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM rollouts GROUP BY 1',
      )
      for (const r of rows) this.set({ status: r.status }, r.n)
    },
  })
  new Gauge({
    name: 'fleet_rollout_kiosks',
    help: 'kiosks of rollouts by their state (pending … succeeded, failed, rolledBack, timedOut, cancelled); a kiosk counts once per rollout',
    labelNames: ['rollout_status', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset()
      const rows = await db.query<{ rollout_status: string; state: string; n: number }>(
        `SELECT r.status AS rollout_status, rk.state, count(*)::int AS n
         FROM rollout_kiosks rk JOIN rollouts r ON r.id = rk.rollout_id GROUP BY 1, 2`,
      )
      for (const r of rows) this.set({ rollout_status: r.rollout_status, state: r.state }, r.n)
    },
  })
}
