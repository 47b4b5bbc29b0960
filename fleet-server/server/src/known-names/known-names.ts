import type { Queryable } from '../db/database.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import type { CatalogueProvider } from '../services/catalogue-dir.ts'

/** The names a write refers to; each list is checked against what the fleet knows. */
export interface NameRefs {
  departments?: readonly string[] | undefined
  sites?: readonly string[] | undefined
  users?: readonly string[] | undefined
  kiosks?: readonly string[] | undefined
}

export interface KnownNamesOptions {
  db: Queryable
  /** The service catalogue: its `department.json` files name the departments. */
  catalogue: CatalogueProvider
}

const missing = (wanted: readonly string[], known: ReadonlySet<string>) =>
  [...new Set(wanted)].filter((name) => !known.has(name))

/**
 * What departments, sites and users exist, so a mistyped one in a write is refused instead of
 * silently matching nothing. A department is known from the service catalogue or from any kiosk's
 * birth; a site from the `sites` table (kiosks' births); a user from `users`.
 */
export class KnownNames {
  constructor(private readonly options: KnownNamesOptions) {}

  async unknownDepartments(departments: readonly string[]): Promise<string[]> {
    if (departments.length === 0) return []
    const catalogue = await this.options.catalogue()
    const rows = await this.options.db.query<{ department: string }>(
      'SELECT DISTINCT department FROM kiosks WHERE department = ANY($1::text[])',
      [departments],
    )
    const known = new Set([...catalogue.departments.map((d) => d.id), ...rows.map((r) => r.department)])
    return missing(departments, known)
  }

  async unknownSites(sites: readonly string[]): Promise<string[]> {
    if (sites.length === 0) return []
    const rows = await this.options.db.query<{ id: string }>('SELECT id FROM sites WHERE id = ANY($1::text[])', [sites])
    return missing(sites, new Set(rows.map((r) => r.id)))
  }

  async unknownUsers(users: readonly string[]): Promise<string[]> {
    if (users.length === 0) return []
    const rows = await this.options.db.query<{ id: string }>('SELECT id FROM users WHERE id = ANY($1::text[])', [users])
    return missing(users, new Set(rows.map((r) => r.id)))
  }

  async unknownKiosks(kiosks: readonly string[]): Promise<string[]> {
    if (kiosks.length === 0) return []
    const rows = await this.options.db.query<{ id: string }>('SELECT id FROM kiosks WHERE id = ANY($1::text[])', [
      kiosks,
    ])
    return missing(kiosks, new Set(rows.map((r) => r.id)))
  }

  /**
   * Throws ERR_FLEET_UNKNOWN_DEPARTMENT, _SITE, _USER or ERR_FLEET_KIOSK_NOT_FOUND naming every unknown value of the first list
   * that has one, each quoted in the message.
   */
  async assertKnown(refs: NameRefs): Promise<void> {
    const checks = [
      [refs.departments, (v: readonly string[]) => this.unknownDepartments(v), 'department', 'unknownDepartment'],
      [refs.sites, (v: readonly string[]) => this.unknownSites(v), 'site', 'unknownSite'],
      [refs.users, (v: readonly string[]) => this.unknownUsers(v), 'user', 'unknownUser'],
      [refs.kiosks, (v: readonly string[]) => this.unknownKiosks(v), 'kiosk', 'kioskNotFound'],
    ] as const
    for (const [values, unknownOf, noun, code] of checks) {
      if (values === undefined || values.length === 0) continue
      const unknown = await unknownOf(values)
      if (unknown.length === 0) continue
      const list = unknown.map((v) => JSON.stringify(v)).join(', ')
      throw new FleetError(FleetErrorCodes[code], `unknown ${noun}${unknown.length > 1 ? 's' : ''}: ${list}`)
    }
  }
}
