import { Counter, Gauge, type Registry } from 'prom-client'
import type { UpdateRuntime } from './update-runtime.ts'

/** The update repository's gauges and counters (TUF expiry, re-signing), read from the runtime at scrape time. */
export function registerUpdateMetrics(registry: Registry, updates: UpdateRuntime): void {
  new Counter({
    name: 'fleet_tuf_resigned_total',
    help: 'targets/snapshot/timestamp metadata re-signed before expiry',
    labelNames: ['role'] as const,
    registers: [registry],
    collect() {
      this.reset()
      const stats = updates.refresher?.stats
      this.inc({ role: 'targets' }, stats?.resigned.targets ?? 0)
      this.inc({ role: 'snapshot' }, stats?.resigned.snapshot ?? 0)
      this.inc({ role: 'timestamp' }, stats?.resigned.timestamp ?? 0)
    },
  })
  new Counter({
    name: 'fleet_tuf_refresh_failures_total',
    help: 'failed checks/re-signing of TUF metadata expiry',
    registers: [registry],
    collect() {
      this.reset()
      this.inc(updates.refresher?.stats.failures ?? 0)
    },
  })
  new Gauge({
    name: 'fleet_tuf_root_expiry_timestamp_seconds',
    help: 'when the TUF root expires (only the offline root keys renew it), as of the last refresh',
    registers: [registry],
    collect() {
      const expires = updates.refresher?.stats.rootExpires
      this.set(expires === undefined ? 0 : Date.parse(expires) / 1000)
    },
  })
  new Gauge({
    name: 'fleet_tuf_vendor_role_expiry_timestamp_seconds',
    help: "when each vendor's TUF role expires (only the vendor's keys renew it), as of the last refresh",
    labelNames: ['vendor'] as const,
    registers: [registry],
    collect() {
      this.reset()
      const expiries = updates.refresher?.stats.vendorRoleExpires ?? {}
      for (const [vendor, expires] of Object.entries(expiries)) this.set({ vendor }, Date.parse(expires) / 1000)
    },
  })
  new Gauge({
    name: 'fleet_tuf_department_role_expiry_timestamp_seconds',
    help: "when each department's catalogue TUF role expires (only the department's keys renew it), as of the last refresh",
    labelNames: ['department'] as const,
    registers: [registry],
    collect() {
      this.reset()
      const expiries = updates.refresher?.stats.departmentRoleExpires ?? {}
      for (const [department, expires] of Object.entries(expiries)) this.set({ department }, Date.parse(expires) / 1000)
    },
  })
  new Gauge({
    name: 'fleet_tuf_repository_ready',
    help: '1 when the update repository is initialised and its online keys loaded',
    registers: [registry],
    collect() {
      this.set(typeof updates.repository() === 'string' ? 0 : 1)
    },
  })
}
