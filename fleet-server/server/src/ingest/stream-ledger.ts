import type { Database, Queryable } from '../db/database.ts'
import type { MissingRun } from './seq-gaps.ts'

/** A numbered message of a kiosk, as a replica committed it. */
export interface SeqArrival {
  kioskId: string
  seq: number
  /** Handed over flagged retained: it may be old, so it never starts a kiosk's stream. */
  retained: boolean
}

/** Arbitrary constant: the advisory lock under which one replica at a time looks for holes. */
const HOLES_LOCK = 7_244_051

/**
 * Adds what this batch brought to each kiosk's ledger (`kiosk_streams`), inside the batch's own
 * transaction: committed messages and the ledger never disagree. Rows are written in kiosk order,
 * so two replicas' batches never wait on each other's rows in opposite orders.
 */
export async function noteArrivals(tx: Queryable, arrivals: readonly SeqArrival[]): Promise<void> {
  if (arrivals.length === 0) return
  await tx.query(
    `WITH a AS (
       SELECT m.kiosk_id, range_agg(int8range(m.seq, m.seq + 1)) AS seen,
              min(m.seq) FILTER (WHERE NOT m.retained) AS floor
       FROM unnest($1::text[], $2::bigint[], $3::bool[]) AS m(kiosk_id, seq, retained)
       GROUP BY m.kiosk_id)
     INSERT INTO kiosk_streams AS s (kiosk_id, seen, floor)
     SELECT kiosk_id,
            CASE WHEN floor IS NULL THEN '{}'::int8multirange ELSE seen * int8multirange(int8range(floor, NULL)) END,
            floor
     FROM a ORDER BY kiosk_id
     ON CONFLICT (kiosk_id) DO UPDATE SET
       floor = coalesce(s.floor, excluded.floor),
       seen = (s.seen + (SELECT a.seen FROM a WHERE a.kiosk_id = s.kiosk_id))
              * int8multirange(int8range(coalesce(s.floor, excluded.floor), NULL))`,
    [arrivals.map((a) => a.kioskId), arrivals.map((a) => a.seq), arrivals.map((a) => a.retained)],
  )
}

/** Every hole of every kiosk's ledger now: numbers above its floor between two that arrived. */
export async function readHoles(q: Queryable): Promise<MissingRun[]> {
  const rows = await q.query<{ kiosk_id: string; from_seq: string | number; to_seq: string | number }>(
    `SELECT kiosk_id, upper(r) AS from_seq, next_lower - 1 AS to_seq
     FROM (SELECT s.kiosk_id, r, lead(lower(r)) OVER (PARTITION BY s.kiosk_id ORDER BY lower(r)) AS next_lower
           FROM kiosk_streams s, unnest(s.seen) AS r
           WHERE s.seen <> int8multirange(range_merge(s.seen))) holes
     WHERE next_lower IS NOT NULL
     ORDER BY kiosk_id, from_seq`,
  )
  return rows.map((r) => ({ kioskId: r.kiosk_id, from: Number(r.from_seq), to: Number(r.to_seq) }))
}

/** Fills holes that were counted missing, so they are counted once; a late arrival changes nothing. */
async function closeHoles(tx: Queryable, runs: readonly MissingRun[]): Promise<void> {
  await tx.query(
    `WITH fill AS (
       SELECT f.kiosk_id, range_agg(int8range(f.from_seq, f.to_seq + 1)) AS seen
       FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS f(kiosk_id, from_seq, to_seq)
       GROUP BY f.kiosk_id)
     UPDATE kiosk_streams s SET seen = s.seen + fill.seen FROM fill WHERE s.kiosk_id = fill.kiosk_id`,
    [runs.map((r) => r.kioskId), runs.map((r) => r.from), runs.map((r) => r.to)],
  )
}

/**
 * When each hole was first seen, to count it missing only once it stayed open for the grace period
 * (messages of other topics overtake each other, and a sibling replica may still be committing
 * the rest). A hole that changes (a late message fills part of it) starts its wait again. Pure.
 */
export class HoleClock {
  #firstSeen = new Map<string, { run: MissingRun; at: number }>()

  constructor(private readonly graceMs: number) {}

  /** Holes open for at least the grace period, forgotten once returned; vanished holes are forgotten. */
  due(holes: readonly MissingRun[], now: number): MissingRun[] {
    const open = new Map<string, { run: MissingRun; at: number }>()
    const due: MissingRun[] = []
    for (const run of holes) {
      const key = `${run.kioskId}\u0000${run.from}\u0000${run.to}`
      const at = this.#firstSeen.get(key)?.at ?? now
      if (now - at >= this.graceMs) due.push(run)
      else open.set(key, { run, at })
    }
    this.#firstSeen = open
    return due
  }
}

export interface MissingCheckOptions {
  db: Database
  graceMs: number
  now?: () => number
  /** Counts the runs on their kiosks, in the same transaction that closes them. */
  record: (tx: Queryable, runs: readonly MissingRun[], at: number) => Promise<unknown>
}

/**
 * Looks for messages that never reached any replica: one replica at a time (an advisory lock), it
 * reads the ledger's holes, and those open past the grace period are counted on their kiosks and
 * closed in one transaction, so a hole is counted once across replicas and a crash counts nothing twice.
 */
export class MissingMessageCheck {
  readonly #clock: HoleClock
  readonly #now: () => number

  constructor(private readonly o: MissingCheckOptions) {
    this.#clock = new HoleClock(o.graceMs)
    this.#now = o.now ?? Date.now
  }

  /** Runs counted missing by this call (empty when another replica holds the lock). */
  check(): Promise<MissingRun[]> {
    return this.o.db.transaction(async (tx) => {
      const [lock] = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [HOLES_LOCK])
      if (lock?.ok !== true) return []
      const now = this.#now()
      const due = this.#clock.due(await readHoles(tx), now)
      if (due.length === 0) return []
      await closeHoles(tx, due)
      await this.o.record(tx, due, now)
      return due
    })
  }
}
