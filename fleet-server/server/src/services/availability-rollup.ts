import type { Queryable } from '../db/database.ts'
import { siteDay } from './site-day.ts'

/** What of one stored health snapshot the roll-up counts. */
export interface ServiceSnapshot {
  kioskId: string
  /** The snapshot's own time (health `ts`), which decides its day. */
  ts: number
  services: readonly { serviceId: string; available: boolean }[]
}

/**
 * Adds health snapshots to the services page's daily roll-up (migration 030): per kiosk, day at the
 * sites and service in `service_availability_daily`, and per department of the kiosk in
 * `service_availability_department_daily`. Ingest calls it in the transaction that stored the
 * snapshots, with only the rows that transaction inserted (a resend or duplicate is never counted
 * twice), as its last statement: the department rows are shared by every replica's batches, so their
 * row locks are held only until the commit that follows. Rows go in key order, so two batches never
 * lock shared rows in opposite orders.
 */
export async function rollUpServiceAvailability(tx: Queryable, snapshots: readonly ServiceSnapshot[]): Promise<void> {
  const params = tallyByKioskDayService(snapshots)
  if (params === undefined) return
  await tx.query(
    `INSERT INTO service_availability_daily AS d (kiosk_id, day, service_id, snapshots, available)
     SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::int[], $5::int[])
     ON CONFLICT (kiosk_id, day, service_id) DO UPDATE
       SET snapshots = d.snapshots + excluded.snapshots, available = d.available + excluded.available`,
    params,
  )
  await tx.query(
    `INSERT INTO service_availability_department_daily AS d (department, day, service_id, snapshots, available)
     SELECT coalesce(k.department, ''), r.day, r.service_id, sum(r.n), sum(r.up)
     FROM unnest($1::text[], $2::date[], $3::text[], $4::int[], $5::int[]) AS r(kiosk_id, day, service_id, n, up)
       JOIN kiosks k ON k.id = r.kiosk_id
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3
     ON CONFLICT (department, day, service_id) DO UPDATE
       SET snapshots = d.snapshots + excluded.snapshots, available = d.available + excluded.available`,
    params,
  )
}

/**
 * Snapshots counted per kiosk, day at the sites and service, in key order (so two batches never lock
 * shared rows in opposite orders), as the columns `unnest` takes: kiosk ids, days, service ids,
 * snapshots, available. Undefined when there is nothing to count.
 */
export function tallyByKioskDayService(snapshots: Iterable<ServiceSnapshot>): unknown[][] | undefined {
  const rows = new Map<string, { kioskId: string; day: string; serviceId: string; n: number; up: number }>()
  for (const s of snapshots) {
    const day = siteDay(s.ts)
    for (const service of s.services) {
      const key = `${s.kioskId}\u0000${day}\u0000${service.serviceId}`
      let row = rows.get(key)
      if (row === undefined) {
        row = { kioskId: s.kioskId, day, serviceId: service.serviceId, n: 0, up: 0 }
        rows.set(key, row)
      }
      row.n += 1
      if (service.available) row.up += 1
    }
  }
  if (rows.size === 0) return undefined
  const sorted = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row)
  return [
    sorted.map((r) => r.kioskId),
    sorted.map((r) => r.day),
    sorted.map((r) => r.serviceId),
    sorted.map((r) => r.n),
    sorted.map((r) => r.up),
  ]
}
