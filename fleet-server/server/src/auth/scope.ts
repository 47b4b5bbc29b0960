import type { KioskView } from '@kiosk-fleet/protocol/http'
import type { Principal } from './roles.ts'

/**
 * What of a kiosk a principal may see: undefined when the kiosk is outside the scope; for a
 * vendor, only its own peripherals (never another vendor's devices).
 */
export function scopeView(principal: Principal, view: KioskView): KioskView | undefined {
  switch (principal.role) {
    case 'admin':
    case 'auditor':
      return view
    case 'department':
      return view.department !== null && principal.departments.includes(view.department) ? view : undefined
    case 'site':
      return view.site !== null && principal.sites.includes(view.site.id) ? view : undefined
    case 'vendor': {
      const own = view.peripherals.filter((p) => p.vendorId != null && principal.vendors.includes(p.vendorId))
      // Service availability is the departments' business and names other vendors' devices: left out.
      return own.length > 0 ? { ...view, peripherals: own, services: [] } : undefined
    }
  }
}
