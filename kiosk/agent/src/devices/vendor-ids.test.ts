import { allDefinitions } from '@drivers/registry'
import { vendorIdOfModelId, vendorIdOfName } from '@kiosk-fleet/protocol'
import { describe, expect, it } from 'vitest'

// The fleet maps what a kiosk reports to one vendor id (protocol/src/vendor-id.ts): every registry
// model must give the same id from its model id and from its display vendor, or a vendor user would
// see a device under one name and push firmware for it under another.
describe('registry vendors and the canonical vendor id', () => {
  it.each(allDefinitions.map((d) => [d.id, d.vendor] as const))(
    '%s: display vendor %s slugs to its id prefix',
    (id, vendor) => {
      expect(vendorIdOfName(vendor)).toBe(vendorIdOfModelId(id))
    },
  )
})
