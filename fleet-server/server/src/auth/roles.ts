/** The five roles (README.md "HTTP API, roles and audit"). */
export const ROLES = ['admin', 'department', 'site', 'vendor', 'auditor'] as const
export type Role = (typeof ROLES)[number]

export interface Principal {
  userId: string
  displayName: string
  role: Role
  departments: string[]
  sites: string[]
  vendors: string[]
  /** Set after an admin reset the password: until the user chooses their own, only that is allowed (guard.ts). */
  mustChangePassword?: boolean
}

/** What a route needs. Each permission lists the roles that hold it; scope is applied by the data layer. */
export const PERMISSIONS = {
  /** Read kiosks, sites, health and events, within the user's scope. */
  readFleet: ['admin', 'department', 'site', 'vendor', 'auditor'],
  /** Send remote commands to kiosks within scope. */
  commandKiosks: ['admin', 'department', 'site'],
  /**
   * See what a kiosk's screen shows (`screenshot`, within scope): IT staff only. Departments and
   * vendors may send other commands or none, but never look at a screen in a public lobby.
   */
  captureScreen: ['admin', 'site'],
  /** Acknowledge and assign alerts within scope. */
  manageAlerts: ['admin', 'department', 'site'],
  /** Read, export and verify the audit log. */
  readAudit: ['admin', 'auditor'],
  /** Manage users and enrolment of kiosks. */
  manageUsers: ['admin'],
  manageKiosks: ['admin'],
  /** Ingest statistics and other operator views. */
  operate: ['admin'],
  /**
   * Upload artifacts: vendors for their own models, departments their own catalogue bundles, admins
   * kiosk app releases (the artifact service checks which kind and whose).
   */
  pushArtifacts: ['admin', 'vendor', 'department'],
  /** Approve an artifact for a department's kiosks (department users for their own departments). */
  approveArtifacts: ['admin', 'department'],
  /** Register vendors' delegated TUF roles and revoke artifacts. */
  manageUpdateRepository: ['admin'],
  /** Create, start, pause, resume and abort rollouts within scope. */
  manageRollouts: ['admin', 'department'],
  /** Approve a rollout someone else created. */
  approveRollouts: ['admin', 'department'],
  /** Edit the fleet calendar (holidays, 调休) and sites' opening hours and maintenance windows. */
  manageSchedules: ['admin', 'site'],
} as const satisfies Record<string, readonly Role[]>
export type Permission = keyof typeof PERMISSIONS

export function can(principal: Principal, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(principal.role)
}

/**
 * The SQL condition limiting kiosks (alias `k`) to a principal's scope, with its parameters
 * numbered from `firstParam`. Admins and auditors see the whole fleet.
 */
export function kioskScope(principal: Principal, firstParam: number): { sql: string; params: unknown[] } {
  switch (principal.role) {
    case 'admin':
    case 'auditor':
      return { sql: 'true', params: [] }
    case 'department':
      return { sql: `k.department = ANY($${firstParam}::text[])`, params: [principal.departments] }
    case 'site':
      return { sql: `k.site_id = ANY($${firstParam}::text[])`, params: [principal.sites] }
    case 'vendor':
      return {
        sql: `EXISTS (SELECT 1 FROM peripherals vp WHERE vp.kiosk_id = k.id AND vp.vendor_id = ANY($${firstParam}::text[]))`,
        params: [principal.vendors],
      }
  }
}
