import type { Principal } from '../auth/roles.ts'
import type { Queryable } from '../db/database.ts'
import { KIOSK_LIST_ORDER, type KioskFilter, kioskWhere } from './kiosk-query.ts'

/**
 * One kiosk of a scope's directory: what the kiosk list searches, filters and sorts on, without its
 * devices or health. At 20,000 kiosks a scope's directory is about 2 MB.
 */
export interface DirectoryEntry {
  id: string
  siteId: string | null
  siteName: string | null
  town: string | null
  county: string | null
  machineType: string | null
  department: string | null
  state: string
  appVersion: string | null
  /** The kiosk id, site name, town and county in lower case, apart: what `q` searches. */
  searchText: string
}

/** Between the fields of `searchText`: no search term holds it, so none matches across two fields. */
const FIELD_SEPARATOR = '\u0000'

/** The filters a directory answers; the others look into devices or health and go to the database. */
const DIRECTORY_FILTERS = new Set<keyof KioskFilter>([
  'q',
  'siteId',
  'county',
  'town',
  'machineType',
  'department',
  'state',
  'appVersion',
])

/** Whether every filter set in `filter` is one a directory answers. */
export function directoryAnswers(filter: KioskFilter): boolean {
  return Object.entries(filter).every(
    ([name, value]) => value === undefined || DIRECTORY_FILTERS.has(name as keyof KioskFilter),
  )
}

interface DirectoryRow {
  id: string
  site_id: string | null
  site_name: string | null
  town: string | null
  county: string | null
  machine_type: string | null
  department: string | null
  state: string
  app_version: string | null
}

const DIRECTORY_COLUMNS = `k.id, k.site_id, s.name AS site_name, s.town, s.county, k.machine_type, k.department, k.state,
            k.app_version`

function toEntry(r: DirectoryRow): DirectoryEntry {
  return {
    searchText: [r.id, r.site_name, r.town, r.county]
      .filter((v) => v !== null)
      .join(FIELD_SEPARATOR)
      .toLowerCase(),
    id: r.id,
    siteId: r.site_id,
    siteName: r.site_name,
    town: r.town,
    county: r.county,
    machineType: r.machine_type,
    department: r.department,
    state: r.state,
    appVersion: r.app_version,
  }
}

/**
 * The kiosks of a principal's scope in the list's order (county, site, id: the database's collation,
 * NULLs last), with the fields a directory filters on. Scoped by the same SQL as every other read.
 */
export async function loadDirectory(db: Queryable, principal: Principal): Promise<DirectoryEntry[]> {
  const where = kioskWhere({}, principal)
  const rows = await db.query<DirectoryRow>(
    `SELECT ${DIRECTORY_COLUMNS}
     FROM kiosks k LEFT JOIN sites s ON s.id = k.site_id WHERE ${where.sql}
     ORDER BY ${KIOSK_LIST_ORDER}`,
    where.params,
  )
  return rows.map(toEntry)
}

/**
 * The kiosks whose directory entry may have changed at or after `since` (the database's clock:
 * `kiosks.listed_at`, or their site's `updated_at`), each with whether it is in the principal's scope
 * now (a kiosk may have left it), and the database's time now.
 */
export async function loadDirectoryChanges(
  db: Queryable,
  principal: Principal,
  since: Date,
): Promise<{ at: Date; changed: (DirectoryEntry & { inScope: boolean })[] }> {
  const where = kioskWhere({}, principal)
  const n = where.params.length
  const rows = await db.query<{ at: Date; in_scope: boolean } & Partial<DirectoryRow>>(
    `WITH changed AS (
       SELECT ${DIRECTORY_COLUMNS}, (${where.sql}) AS in_scope
       FROM kiosks k LEFT JOIN sites s ON s.id = k.site_id
       WHERE k.listed_at >= $${n + 1} OR s.updated_at >= $${n + 1})
     SELECT now() AS at, c.* FROM (SELECT 1) AS one LEFT JOIN changed c ON true`,
    [...where.params, since],
  )
  const at = rows[0]?.at
  if (!(at instanceof Date)) throw new TypeError('the database gave no time')
  return {
    at,
    changed: rows.flatMap((r) =>
      r.id === undefined || r.id === null ? [] : [{ ...toEntry(r as DirectoryRow), inScope: r.in_scope === true }],
    ),
  }
}

/** Whether two entries of one kiosk differ in anything but their state (all a state change moves). */
export function differsBeyondState(a: DirectoryEntry, b: DirectoryEntry): boolean {
  return (
    a.siteId !== b.siteId ||
    a.siteName !== b.siteName ||
    a.town !== b.town ||
    a.county !== b.county ||
    a.machineType !== b.machineType ||
    a.department !== b.department ||
    a.appVersion !== b.appVersion
  )
}

/**
 * The entries that match a directory filter (directoryAnswers), in the directory's order: `q` is a
 * case-insensitive part of the kiosk id, site name, town or county (as the database's ILIKE), the
 * others are equal.
 */
export function matchDirectory(entries: readonly DirectoryEntry[], filter: KioskFilter): readonly DirectoryEntry[] {
  const q = filter.q?.trim().toLowerCase() ?? ''
  if (q.includes(FIELD_SEPARATOR)) return []
  // Only the filters that are set are tested: the unfiltered first page is the directory itself.
  const tests: ((e: DirectoryEntry) => boolean)[] = []
  if (q !== '') tests.push((e) => e.searchText.includes(q))
  for (const [field, wanted] of [
    ['siteId', filter.siteId],
    ['county', filter.county],
    ['town', filter.town],
    ['machineType', filter.machineType],
    ['department', filter.department],
    ['state', filter.state],
    ['appVersion', filter.appVersion],
  ] as const) {
    if (wanted !== undefined) tests.push((e) => e[field] === wanted)
  }
  if (tests.length === 0) return entries
  return entries.filter((e) => tests.every((test) => test(e)))
}
