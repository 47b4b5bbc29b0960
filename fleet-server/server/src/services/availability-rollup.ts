import { createHash } from 'node:crypto'
import type { Queryable } from '../db/database.ts'
import { takenWhileOpen } from './open-hours.ts'
import { siteDay } from './site-day.ts'

/** What of one stored health snapshot the roll-up counts. */
export interface ServiceSnapshot {
  kioskId: string
  /** The snapshot's own time (health `ts`), which decides its day. */
  ts: number
  services: readonly { serviceId: string; available: boolean }[]
}

/** Snapshots of one kiosk and site day that listed the same services with the same ones unavailable. */
export interface SnapshotKind {
  kioskId: string
  day: string
  /** Digest of `services` and `unavailable`: the row's key (the lists may be long). */
  signature: string
  /** Sorted service ids. */
  services: string[]
  /** Sorted ids of those not available. */
  unavailable: string[]
  snapshots: number
  /** Of them, taken while the kiosk's site was open. */
  open: number
}

/**
 * Adds health snapshots to the services roll-up (migration 050): per kiosk, site day and kind of
 * snapshot in `service_snapshots_daily` (read per service through the view
 * `service_availability_daily`, and in opening hours through `service_availability_open_daily`), and
 * per department of the kiosk, site day and service in `service_availability_department_daily`.
 * A kiosk's snapshots of a day are nearly all of one kind, so a health message updates one row
 * where it updated one per service, twice. Ingest calls it in the transaction that stored the
 * snapshots, with only the rows that transaction inserted (a resend or duplicate is never counted
 * twice), as its last statement: the department rows are shared by every replica's batches, so their
 * row locks are held only until the commit that follows. Rows go in key order, so two batches never
 * lock shared rows in opposite orders.
 */
export async function rollUpServiceAvailability(tx: Queryable, snapshots: readonly ServiceSnapshot[]): Promise<void> {
  const listing = snapshots.filter((s) => s.services.length > 0)
  if (listing.length === 0) return
  const kinds = snapshotKinds(listing, await takenWhileOpen(tx, listing))
  const columns = [
    kinds.map((k) => k.kioskId),
    kinds.map((k) => k.day),
    kinds.map((k) => k.signature),
    // Ids are single topic segments (no spaces): each list travels as one string.
    kinds.map((k) => k.services.join(' ')),
    kinds.map((k) => k.unavailable.join(' ')),
    kinds.map((k) => k.snapshots),
    kinds.map((k) => k.open),
  ]
  await tx.query(
    `INSERT INTO service_snapshots_daily AS d (kiosk_id, day, signature, services, unavailable, snapshots, open_snapshots)
     SELECT r.kiosk_id, r.day, r.signature, string_to_array(r.services, ' '), string_to_array(r.unavailable, ' '), r.n, r.open
     FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[])
       AS r(kiosk_id, day, signature, services, unavailable, n, open)
     ON CONFLICT (kiosk_id, day, signature) DO UPDATE
       SET snapshots = d.snapshots + excluded.snapshots, open_snapshots = d.open_snapshots + excluded.open_snapshots`,
    columns,
  )
  await tx.query(
    `INSERT INTO service_availability_department_daily AS d (department, day, service_id, snapshots, available)
     SELECT coalesce(k.department, ''), r.day, s.service_id, sum(r.n),
            coalesce(sum(r.n) FILTER (WHERE s.service_id <> ALL (string_to_array(r.unavailable, ' '))), 0)
     FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::int[]) AS r(kiosk_id, day, services, unavailable, n)
       JOIN kiosks k ON k.id = r.kiosk_id
       CROSS JOIN LATERAL unnest(string_to_array(r.services, ' ')) AS s(service_id)
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3
     ON CONFLICT (department, day, service_id) DO UPDATE
       SET snapshots = d.snapshots + excluded.snapshots, available = d.available + excluded.available`,
    [columns[0], columns[1], columns[3], columns[4], columns[5]],
  )
}

/**
 * Snapshots counted per kiosk, site day and kind (`SnapshotKind`), `open` those of them in
 * `whileOpen`, in key order (so two batches never lock shared rows in opposite orders).
 */
export function snapshotKinds(
  snapshots: Iterable<ServiceSnapshot>,
  whileOpen: ReadonlySet<ServiceSnapshot>,
): SnapshotKind[] {
  const kinds = new Map<string, SnapshotKind>()
  for (const s of snapshots) {
    const services = s.services.map((x) => x.serviceId).sort()
    const unavailable = s.services
      .filter((x) => !x.available)
      .map((x) => x.serviceId)
      .sort()
    const signature = createHash('sha256')
      .update(`${services.join(' ')}\u0000${unavailable.join(' ')}`)
      .digest('base64url')
    const day = siteDay(s.ts)
    const key = `${s.kioskId}\u0000${day}\u0000${signature}`
    let kind = kinds.get(key)
    if (kind === undefined) {
      kind = { kioskId: s.kioskId, day, signature, services, unavailable, snapshots: 0, open: 0 }
      kinds.set(key, kind)
    }
    kind.snapshots += 1
    if (whileOpen.has(s)) kind.open += 1
  }
  return [...kinds.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, kind]) => kind)
}
