import type { DeviceDefinition, PortInfo } from './definition.ts'
import { usbKey, validateDefinitions } from './validate.ts'

function toId(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = typeof value === 'number' ? value : Number.parseInt(value, 16)
  return Number.isInteger(n) && n > 0 && n <= 0xffff ? n : undefined
}

/** A validated, indexed set of definitions. */
export interface Registry {
  readonly definitions: readonly DeviceDefinition[]
  /** Pure lookup by USB ids; undefined when nothing claims the port. */
  findDefinition(port: PortInfo): DeviceDefinition | undefined
  byId(id: string): DeviceDefinition | undefined
}

/** Validates (throws ERR_DRV_REGISTRY_INVALID) and indexes the definitions. */
export function createRegistry(definitions: readonly DeviceDefinition[]): Registry {
  validateDefinitions(definitions)
  const byUsb = new Map<string, DeviceDefinition>()
  for (const def of definitions) for (const m of def.match) byUsb.set(usbKey(m.usbVendorId, m.usbProductId), def)
  const byId = new Map(definitions.map((d) => [d.id, d]))
  return {
    definitions,
    findDefinition(port) {
      const vendorId = toId(port.vendorId)
      const productId = toId(port.productId)
      if (vendorId === undefined || productId === undefined) return undefined
      return byUsb.get(usbKey(vendorId, productId))
    },
    byId: (id) => byId.get(id),
  }
}
