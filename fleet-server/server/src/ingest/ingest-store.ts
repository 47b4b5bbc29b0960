import { type DeploymentStatusPayload, vendorIdOfPeripheral } from '@kiosk-fleet/protocol'
import type { Database, Queryable } from '../db/database.ts'
import { rollUpServiceAvailability, type ServiceSnapshot } from '../services/availability-rollup.ts'
import { type IngestBatch, latestBy } from './ingest-batch.ts'
import type { MissingRun } from './seq-gaps.ts'
import { noteArrivals, type SeqArrival } from './stream-ledger.ts'

export interface WriteResult {
  /** Kiosks whose latest state changed in this batch (for live updates). */
  changedKiosks: string[]
  /** Kiosks seen for the first time without a birth: ask them to rebirth. */
  unknownKiosks: string[]
  /** Rows that were already stored (outbox resends, QoS 1 duplicates). */
  duplicates: number
  /**
   * Deployment reports of this batch, duplicates included (the rollout engine is idempotent), handed
   * on once they are committed.
   */
  deployments: { kioskId: string; payload: DeploymentStatusPayload; receivedAt: number }[]
  /** Kiosks with a birth in this batch (committed: `kiosks` and `peripherals` show it). */
  births: string[]
}

const iso = (ms: number) => new Date(ms).toISOString()

/** Adds runs found missing to their kiosks' counts; returns the kiosks, for the `messagesMissing` alert. */
export async function recordMissing(q: Queryable, runs: readonly MissingRun[], at: number): Promise<string[]> {
  const perKiosk = new Map<string, number>()
  for (const r of runs) perKiosk.set(r.kioskId, (perKiosk.get(r.kioskId) ?? 0) + r.to - r.from + 1)
  const ids = [...perKiosk.keys()]
  await q.query(
    `UPDATE kiosks k SET missing_messages = k.missing_messages + m.n, missing_at = $3::timestamptz
     FROM unnest($1::text[], $2::bigint[]) AS m(id, n) WHERE k.id = m.id`,
    [ids, ids.map((id) => perKiosk.get(id)), iso(at)],
  )
  return ids
}

function deploymentReports(batch: IngestBatch): WriteResult['deployments'] {
  return batch.events.flatMap((e) =>
    e.type === 'deployment' && 'deploymentId' in e.payload
      ? [{ kioskId: e.kioskId, payload: e.payload, receivedAt: e.receivedAt }]
      : [],
  )
}

/**
 * Writes one batch in one transaction with set-based statements (unnest of arrays): never an awaited
 * INSERT per message. History is idempotent on (kiosk_id, seq); latest state only moves forward in
 * seq (or, for presence, in session), so replays and duplicates never change state twice.
 */
export class IngestStore {
  constructor(private readonly db: Database) {}

  /** Counts messages found missing per kiosk (ingest/seq-gaps.ts), for the `messagesMissing` alert. */
  recordMissing(runs: readonly MissingRun[], at: number): Promise<string[]> {
    return recordMissing(this.db, runs, at)
  }

  /** One transaction: the batch's messages and, with several replicas, their numbers in the ledger. */
  writeBatch(batch: IngestBatch, arrivals: readonly SeqArrival[] = []): Promise<WriteResult> {
    return this.db.transaction(async (tx) => {
      const changed = new Set<string>()
      const unknownKiosks = await this.#ensureKiosks(tx, batch)
      let duplicates = 0
      await this.#births(tx, batch, changed)
      await this.#states(tx, batch, changed)
      const stored: ServiceSnapshot[] = []
      duplicates += await this.#health(tx, batch, changed, stored)
      await this.#deviceStatuses(tx, batch, changed)
      duplicates += await this.#events(tx, batch, changed)
      await noteArrivals(tx, arrivals)
      // Last: its fleet-wide rows stay locked only until this transaction commits.
      await rollUpServiceAvailability(tx, stored)
      return {
        changedKiosks: [...changed],
        unknownKiosks,
        duplicates,
        deployments: deploymentReports(batch),
        births: [...new Set(batch.births.map((b) => b.kioskId))],
      }
    })
  }

  async #ensureKiosks(tx: Queryable, batch: IngestBatch): Promise<string[]> {
    const ids = new Set<string>()
    for (const list of [batch.births, batch.states, batch.health, batch.deviceStatuses, batch.events]) {
      for (const m of list) ids.add(m.kioskId)
    }
    if (ids.size === 0) return []
    const inserted = await tx.query<{ id: string }>(
      'INSERT INTO kiosks (id) SELECT unnest($1::text[]) ON CONFLICT (id) DO NOTHING RETURNING id',
      [[...ids]],
    )
    const withBirth = new Set(batch.births.map((b) => b.kioskId))
    return inserted.map((r) => r.id).filter((id) => !withBirth.has(id))
  }

  async #births(tx: Queryable, batch: IngestBatch, changed: Set<string>): Promise<void> {
    const births = latestBy(
      batch.births,
      (b) => b.kioskId,
      (b) => b.payload.seq,
    )
    if (births.length === 0) return
    const sites = latestBy(
      births,
      (b) => b.payload.site.id,
      (b) => b.payload.ts,
    ).map((b) => b.payload.site)
    await tx.query(
      `INSERT INTO sites (id, name, kind, city, county, town, latitude, longitude, updated_at)
       SELECT id, name, kind, city, county, town, lat, lon, now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[])
         AS s(id, name, kind, city, county, town, lat, lon)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, city = excluded.city,
         county = excluded.county, town = excluded.town, latitude = excluded.latitude,
         longitude = excluded.longitude, updated_at = now()`,
      [
        sites.map((s) => s.id),
        sites.map((s) => s.name),
        sites.map((s) => s.kind),
        sites.map((s) => s.city),
        sites.map((s) => s.county),
        sites.map((s) => s.town),
        sites.map((s) => s.latitude ?? null),
        sites.map((s) => s.longitude ?? null),
      ],
    )
    const applied = await tx.query<{ id: string }>(
      `UPDATE kiosks k SET machine_type = b.machine_type, department = b.department, site_id = b.site_id,
         app_version = b.app_version, health_interval_ms = b.health_interval_ms, birth_seq = b.seq,
         birth_at = b.ts, last_seen_at = greatest(k.last_seen_at, b.received_at), listed_at = now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[],
                   $8::timestamptz[], $9::timestamptz[])
         AS b(id, machine_type, department, site_id, app_version, health_interval_ms, seq, ts, received_at)
       WHERE k.id = b.id AND k.birth_seq < b.seq
       RETURNING k.id`,
      [
        births.map((b) => b.kioskId),
        births.map((b) => b.payload.machineType),
        births.map((b) => b.payload.department),
        births.map((b) => b.payload.site.id),
        births.map((b) => b.payload.appVersion),
        births.map((b) => b.payload.healthIntervalMs),
        births.map((b) => b.payload.seq),
        births.map((b) => iso(b.payload.ts)),
        births.map((b) => iso(b.receivedAt)),
      ],
    )
    const appliedIds = new Set(applied.map((r) => r.id))
    const fresh = births.filter((b) => appliedIds.has(b.kioskId))
    if (fresh.length === 0) return
    for (const id of appliedIds) changed.add(id)
    // The birth inventory is authoritative: peripherals no longer reported are removed.
    const rows = latestBy(
      fresh.flatMap((b) => b.payload.peripherals.map((p, order) => ({ kioskId: b.kioskId, order, ...p }))),
      (r) => `${r.kioskId}/${r.deviceId}`,
      (r) => r.order,
    )
    await tx.query(
      `DELETE FROM peripherals p WHERE p.kiosk_id = ANY($1::text[])
         AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS keep(kiosk_id, device_id)
                         WHERE keep.kiosk_id = p.kiosk_id AND keep.device_id = p.device_id)`,
      [fresh.map((b) => b.kioskId), rows.map((r) => r.kioskId), rows.map((r) => r.deviceId)],
    )
    if (rows.length === 0) return
    await tx.query(
      `INSERT INTO peripherals (kiosk_id, device_id, device_class, vendor, model, serial, firmware, hw_revision,
                                model_id, vendor_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::text[], $9::text[], $10::text[])
       ON CONFLICT (kiosk_id, device_id) DO UPDATE SET device_class = excluded.device_class,
         vendor = excluded.vendor, model = excluded.model, serial = excluded.serial, firmware = excluded.firmware,
         hw_revision = excluded.hw_revision, model_id = excluded.model_id, vendor_id = excluded.vendor_id`,
      [
        rows.map((r) => r.kioskId),
        rows.map((r) => r.deviceId),
        rows.map((r) => r.deviceClass),
        rows.map((r) => r.vendor),
        rows.map((r) => r.model),
        rows.map((r) => r.serial),
        rows.map((r) => r.firmware),
        rows.map((r) => r.hwRevision ?? null),
        rows.map((r) => r.modelId ?? null),
        rows.map((r) => vendorIdOfPeripheral(r)),
      ],
    )
  }

  async #states(tx: Queryable, batch: IngestBatch, changed: Set<string>): Promise<void> {
    if (batch.states.length === 0) return
    // Within a batch, later arrivals win within a session; a larger session always wins.
    const states = latestBy(
      batch.states.map((s, order) => ({ ...s, order })),
      (s) => s.kioskId,
      (s) => s.payload.session * 1e7 + s.order,
    )
    // A will's ts is the connect time, so presence changes are stamped with the receive time.
    const applied = await tx.query<{ id: string; state: string; session: number; reason: string | null; at: Date }>(
      `UPDATE kiosks k SET state = s.state, state_session = s.session, state_changed_at = s.received_at, listed_at = now(),
         last_seen_at = CASE WHEN s.state = 'online' THEN greatest(k.last_seen_at, s.received_at) ELSE k.last_seen_at END
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::timestamptz[])
         AS s(id, state, session, reason, received_at)
       WHERE k.id = s.id AND (s.session > k.state_session OR (s.session = k.state_session AND s.state <> k.state))
       RETURNING k.id, s.state, s.session, s.reason, s.received_at AS at`,
      [
        states.map((s) => s.kioskId),
        states.map((s) => s.payload.state),
        states.map((s) => s.payload.session),
        states.map((s) => s.payload.reason ?? null),
        states.map((s) => iso(s.receivedAt)),
      ],
    )
    if (applied.length === 0) return
    for (const r of applied) changed.add(r.id)
    await tx.query(
      `INSERT INTO presence_history (kiosk_id, state, session, reason, ts)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::timestamptz[])`,
      [
        applied.map((r) => r.id),
        applied.map((r) => r.state),
        applied.map((r) => r.session),
        applied.map((r) => r.reason),
        applied.map((r) => r.at),
      ],
    )
  }

  async #health(tx: Queryable, batch: IngestBatch, changed: Set<string>, stored: ServiceSnapshot[]): Promise<number> {
    if (batch.health.length === 0) return 0
    // One JSON array parameter built from the validated payload text: no per-row escaping in
    // JavaScript, and PostgreSQL (its own process) does the parsing.
    const rows = batch.health
      .map(
        (h) =>
          `{"k":${JSON.stringify(h.kioskId)},"t":${h.payload.ts},"r":${h.receivedAt},"b":${h.raw ?? JSON.stringify(h.payload)}}`,
      )
      .join(',')
    const inserted = await tx.query<{ kiosk_id: string; seq: string | number }>(
      `INSERT INTO health_history (kiosk_id, seq, ts, received_at, body)
       SELECT e->>'k', (e->'b'->>'seq')::bigint, to_timestamp((e->>'t')::float8 / 1000),
              to_timestamp((e->>'r')::float8 / 1000), e->'b'
       FROM jsonb_array_elements($1::jsonb) AS e
       ON CONFLICT (kiosk_id, seq) DO NOTHING
       RETURNING kiosk_id, seq`,
      [`[${rows}]`],
    )
    // The services page's daily roll-up counts exactly the snapshots stored now (never a duplicate).
    const fresh = new Set(inserted.map((r) => `${r.kiosk_id}/${r.seq}`))
    for (const h of batch.health) {
      if (fresh.delete(`${h.kioskId}/${h.payload.seq}`)) {
        stored.push({ kioskId: h.kioskId, ts: h.payload.ts, services: h.payload.services })
      }
    }
    const latest = latestBy(
      batch.health,
      (h) => h.kioskId,
      (h) => h.payload.seq,
    )
    // The report goes to kiosk_health (wide, hot); kiosks only learns when the kiosk was last seen.
    // As above, one JSON array of the reports as received: node-pg escaped each 1–2 KB report again
    // as an element of a text[] literal.
    const reports = latest
      .map(
        (h) =>
          `{"k":${JSON.stringify(h.kioskId)},"s":${h.payload.seq},"t":${h.payload.ts},"r":${h.receivedAt},"b":${h.raw ?? JSON.stringify(h.payload)}}`,
      )
      .join(',')
    const applied = await tx.query<{ id: string }>(
      `WITH h AS (
         SELECT e->>'k' AS id, (e->>'s')::bigint AS seq, e->'b' AS body,
                to_timestamp((e->>'t')::float8 / 1000) AS ts, to_timestamp((e->>'r')::float8 / 1000) AS received_at
         FROM jsonb_array_elements($1::jsonb) AS e),
       applied AS (
         INSERT INTO kiosk_health AS kh (kiosk_id, health_seq, last_health, last_health_at)
         SELECT h.id, h.seq, h.body, h.ts FROM h JOIN kiosks k ON k.id = h.id
         ON CONFLICT (kiosk_id) DO UPDATE
           SET health_seq = excluded.health_seq, last_health = excluded.last_health,
               last_health_at = excluded.last_health_at
           WHERE kh.health_seq < excluded.health_seq
         RETURNING kh.kiosk_id)
       UPDATE kiosks k SET last_seen_at = greatest(k.last_seen_at, h.received_at)
       FROM h JOIN applied ON applied.kiosk_id = h.id
       WHERE k.id = h.id
       RETURNING k.id`,
      [`[${reports}]`],
    )
    const appliedIds = new Set(applied.map((r) => r.id))
    for (const id of appliedIds) changed.add(id)
    const peripherals = latest
      .filter((h) => appliedIds.has(h.kioskId))
      .flatMap((h) =>
        h.payload.peripherals.map((p) => ({ kioskId: h.kioskId, seq: h.payload.seq, ts: h.payload.ts, ...p })),
      )
    await this.#applyPeripheralStatus(
      tx,
      peripherals.map((p) => ({
        kioskId: p.kioskId,
        deviceId: p.deviceId,
        seq: p.seq,
        ts: p.ts,
        status: p.status,
        counters: p.counters,
      })),
    )
    return batch.health.length - inserted.length
  }

  async #deviceStatuses(tx: Queryable, batch: IngestBatch, changed: Set<string>): Promise<void> {
    const latest = latestBy(
      batch.deviceStatuses,
      (d) => `${d.kioskId}/${d.payload.deviceId}`,
      (d) => d.payload.seq,
    )
    const applied = await this.#applyPeripheralStatus(
      tx,
      latest.map((d) => ({
        kioskId: d.kioskId,
        deviceId: d.payload.deviceId,
        seq: d.payload.seq,
        ts: d.payload.ts,
        status: d.payload.status,
      })),
    )
    for (const id of applied) changed.add(id)
  }

  async #events(tx: Queryable, batch: IngestBatch, changed: Set<string>): Promise<number> {
    if (batch.events.length === 0) return 0
    const inserted = await tx.query<{ kiosk_id: string }>(
      `INSERT INTO kiosk_events (kiosk_id, seq, ts, type, device_id, body)
       SELECT k, s, t, ty, d, b::jsonb FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[])
         AS e(k, s, t, ty, d, b)
       ON CONFLICT (kiosk_id, seq) DO NOTHING
       RETURNING kiosk_id`,
      [
        batch.events.map((e) => e.kioskId),
        batch.events.map((e) => e.payload.seq),
        batch.events.map((e) => iso(e.payload.ts)),
        batch.events.map((e) => e.type),
        batch.events.map((e) => ('deviceId' in e.payload ? e.payload.deviceId : null)),
        batch.events.map((e) => JSON.stringify(e.payload)),
      ],
    )
    for (const r of inserted) changed.add(r.kiosk_id)
    // A status-change event carries the new status: apply it at once (urgent events are not delayed).
    const statusEvents = batch.events.flatMap((e) =>
      'status' in e.payload
        ? [
            {
              kioskId: e.kioskId,
              deviceId: e.payload.deviceId,
              seq: e.payload.seq,
              ts: e.payload.ts,
              status: e.payload.status,
            },
          ]
        : [],
    )
    const applied = await this.#applyPeripheralStatus(
      tx,
      latestBy(
        statusEvents,
        (s) => `${s.kioskId}/${s.deviceId}`,
        (s) => s.seq,
      ),
    )
    for (const id of applied) changed.add(id)
    return batch.events.length - inserted.length
  }

  /** Moves peripheral status forward only (status_seq < seq); returns the kiosks that changed. */
  async #applyPeripheralStatus(
    tx: Queryable,
    input: { kioskId: string; deviceId: string; seq: number; ts: number; status: unknown; counters?: unknown }[],
  ): Promise<string[]> {
    // One row per peripheral: a statement may not update the same row twice.
    const rows = latestBy(
      input,
      (r) => `${r.kioskId}/${r.deviceId}`,
      (r) => r.seq,
    )
    if (rows.length === 0) return []
    const updated = await tx.query<{ kiosk_id: string }>(
      `INSERT INTO peripherals (kiosk_id, device_id, status, status_seq, status_changed_at, counters)
       SELECT k, d, st::jsonb, s, t, c::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[], $6::text[]) AS u(k, d, st, s, t, c)
       ON CONFLICT (kiosk_id, device_id) DO UPDATE SET
         status = excluded.status,
         status_seq = excluded.status_seq,
         status_changed_at = CASE WHEN peripherals.status IS DISTINCT FROM excluded.status
                                  THEN excluded.status_changed_at ELSE peripherals.status_changed_at END,
         counters = coalesce(excluded.counters, peripherals.counters)
       WHERE peripherals.status_seq < excluded.status_seq
       RETURNING kiosk_id`,
      [
        rows.map((r) => r.kioskId),
        rows.map((r) => r.deviceId),
        rows.map((r) => JSON.stringify(r.status)),
        rows.map((r) => r.seq),
        rows.map((r) => iso(r.ts)),
        rows.map((r) => (r.counters === undefined ? null : JSON.stringify(r.counters))),
      ],
    )
    return [...new Set(updated.map((r) => r.kiosk_id))]
  }
}
