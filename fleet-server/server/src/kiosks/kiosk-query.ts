import { kioskScope, type Principal } from '../auth/roles.ts'

/** What `GET /api/kiosks` can search and filter on; every field narrows the match (AND). */
export interface KioskFilter {
  /** Free text: part of the kiosk id, site name, town or county (case-insensitive). */
  q?: string | undefined
  siteId?: string | undefined
  county?: string | undefined
  town?: string | undefined
  machineType?: string | undefined
  department?: string | undefined
  state?: string | undefined
  appVersion?: string | undefined
  /** A peripheral with this firmware (a vendor matches only its own peripherals). */
  firmware?: string | undefined
  /** true: a peripheral in fault or needing attention; false: none (a vendor: its own peripherals). */
  fault?: boolean | undefined
  /** true: at least one citizen service unavailable in the last health report; false: none. */
  serviceUnavailable?: boolean | undefined
}

/** A peripheral in fault or needing attention (the overview's "faulted" test, per peripheral). */
export const PERIPHERAL_FAULT = `(p.status->>'state' IN ('hardwareError', 'noDevice', 'offline', 'powerOff', 'userError')
  OR p.status->>'paper' IN ('out', 'jammed') OR p.status->>'cover' = 'open')`

/**
 * The kiosk list's order over `kiosks k LEFT JOIN sites s`: total, so pages neither repeat nor skip a
 * kiosk; the database's list and the directory's (kiosk-directory.ts) both sort by it.
 */
export const KIOSK_LIST_ORDER = 's.county, s.id, k.id'

/** `%`, `_` and `\` of a search term taken literally in ILIKE. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

/**
 * The WHERE clause of a kiosk search over `kiosks k LEFT JOIN sites s`, the principal's scope first,
 * with its parameters numbered from $1.
 */
export function kioskWhere(filter: KioskFilter, principal: Principal): { sql: string; params: unknown[] } {
  const scope = kioskScope(principal, 1)
  const where: string[] = [scope.sql]
  const params: unknown[] = [...scope.params]
  const param = (value: unknown) => {
    params.push(value)
    return `$${params.length}`
  }
  const equal = (column: string, value: string | undefined) => {
    if (value !== undefined) where.push(`${column} = ${param(value)}`)
  }
  // A vendor's device filters look at its own peripherals only: another vendor's firmware or faults stay unseen.
  const ownDevices = () =>
    principal.role === 'vendor' ? ` AND p.vendor_id = ANY(${param(principal.vendors)}::text[])` : ''
  if (filter.q !== undefined && filter.q.trim() !== '') {
    const like = param(`%${likeEscape(filter.q.trim())}%`)
    where.push(`(k.id ILIKE ${like} OR s.name ILIKE ${like} OR s.town ILIKE ${like} OR s.county ILIKE ${like})`)
  }
  equal('k.site_id', filter.siteId)
  equal('s.county', filter.county)
  equal('s.town', filter.town)
  equal('k.machine_type', filter.machineType)
  equal('k.department', filter.department)
  equal('k.state', filter.state)
  equal('k.app_version', filter.appVersion)
  if (filter.firmware !== undefined) {
    where.push(
      `EXISTS (SELECT 1 FROM peripherals p WHERE p.kiosk_id = k.id AND p.firmware = ${param(filter.firmware)}${ownDevices()})`,
    )
  }
  if (filter.fault !== undefined) {
    where.push(
      `${filter.fault ? '' : 'NOT '}EXISTS (SELECT 1 FROM peripherals p WHERE p.kiosk_id = k.id AND ${PERIPHERAL_FAULT}${ownDevices()})`,
    )
  }
  if (filter.serviceUnavailable !== undefined) {
    where.push(
      `${filter.serviceUnavailable ? '' : 'NOT '}EXISTS (SELECT 1 FROM kiosk_health h WHERE h.kiosk_id = k.id AND h.last_health -> 'services' @> '[{"available": false}]'::jsonb)`,
    )
  }
  return { sql: where.join(' AND '), params }
}
