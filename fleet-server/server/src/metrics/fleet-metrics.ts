import { Counter, Gauge, Registry } from 'prom-client'
import type { NotificationStats } from '../alerts/alert-notifier.ts'
import type { Database } from '../db/database.ts'
import type { Ingestor } from '../ingest/ingestor.ts'
import { registerStateMetrics } from './state-metrics.ts'

/**
 * Prometheus metrics of one fleet-server, in a registry of its own (no process-wide default).
 * Ingest and notification counters are read from their owners at scrape time; fleet gauges from the
 * database (state-metrics.ts); HTTP metrics are added by the app (http-metrics.ts). The names are
 * listed in docs/operations.md "Metrics" and used by docs/grafana/fleet-dashboard.json.
 */
export function createFleetMetrics(options: {
  ingestor: Ingestor
  db: Database
  mqttConnected: () => boolean
  /** The alert notifier's delivery counts; no notification metric without it. */
  notifications?: { readonly stats: NotificationStats } | undefined
}): Registry {
  const registry = new Registry()
  const { ingestor, db } = options
  new Counter({
    name: 'fleet_ingest_messages_total',
    help: 'MQTT messages by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      this.reset()
      const s = ingestor.stats
      this.inc({ outcome: 'received' }, s.received)
      this.inc({ outcome: 'written' }, s.written)
      this.inc({ outcome: 'duplicate' }, s.duplicates)
      this.inc({ outcome: 'failed' }, s.failed)
      for (const [reason, n] of Object.entries(s.invalid)) this.inc({ outcome: `invalid_${reason}` }, n)
    },
  })
  new Gauge({
    name: 'fleet_ingest_queued_messages',
    help: 'accepted messages not yet committed',
    registers: [registry],
    collect() {
      this.set(ingestor.queued)
    },
  })
  new Gauge({
    name: 'fleet_ingest_unacknowledged_messages',
    help: 'messages taken from the broker and not yet acknowledged (waiting for a commit, or behind one)',
    registers: [registry],
    collect() {
      this.set(ingestor.unacknowledged)
    },
  })
  new Counter({
    name: 'fleet_ingest_store_retries_total',
    help: 'ingest batches retried because the database was unreachable (their messages were held, not dropped)',
    registers: [registry],
    collect() {
      this.reset()
      this.inc(ingestor.stats.storeRetries)
    },
  })
  new Counter({
    name: 'fleet_ingest_batches_total',
    help: 'committed ingest batches',
    registers: [registry],
    collect() {
      this.reset()
      this.inc(ingestor.stats.batches)
    },
  })
  new Counter({
    name: 'fleet_ingest_sequence_gaps_total',
    help: 'runs of kiosk sequence numbers that never arrived within the grace period',
    registers: [registry],
    collect() {
      this.reset()
      this.inc(ingestor.stats.seqGaps)
    },
  })
  new Counter({
    name: 'fleet_ingest_missing_messages_total',
    help: 'kiosk messages whose sequence numbers never arrived within the grace period (lost on the way)',
    registers: [registry],
    collect() {
      this.reset()
      this.inc(ingestor.stats.missingMessages)
    },
  })
  new Counter({
    name: 'fleet_ingest_commit_lag_seconds_total',
    help: 'summed time from receipt to commit of committed messages; divided by written + duplicate messages it is the mean ingest lag',
    registers: [registry],
    collect() {
      this.reset()
      this.inc(ingestor.stats.commitLagMs / 1000)
    },
  })
  const notifications = options.notifications
  if (notifications !== undefined)
    new Counter({
      name: 'fleet_alert_notifications_total',
      help: 'alert notifications delivered (sent) or given up after retries (failed), by channel',
      labelNames: ['channel', 'outcome'] as const,
      registers: [registry],
      collect() {
        this.reset()
        for (const [channel, n] of Object.entries(notifications.stats.sent)) this.inc({ channel, outcome: 'sent' }, n)
        for (const [channel, n] of Object.entries(notifications.stats.failed))
          this.inc({ channel, outcome: 'failed' }, n)
      },
    })
  new Gauge({
    name: 'fleet_broker_connected',
    help: '1 while the fleet-server is connected to the MQTT broker',
    registers: [registry],
    collect() {
      this.set(options.mqttConnected() ? 1 : 0)
    },
  })
  new Gauge({
    name: 'fleet_kiosks',
    help: 'kiosks by presence state and machine type',
    labelNames: ['state', 'machine_type'] as const,
    registers: [registry],
    async collect() {
      this.reset()
      const rows = await db.query<{ state: string; machine_type: string | null; n: number }>(
        'SELECT state, machine_type, count(*)::int AS n FROM kiosks GROUP BY state, machine_type',
      )
      for (const r of rows) this.set({ state: r.state, machine_type: r.machine_type ?? 'unknown' }, r.n)
    },
  })
  registerStateMetrics(registry, db)
  return registry
}
