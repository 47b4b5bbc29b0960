/**
 * What the artifact checks need from the device registry (`drivers/registry`), as an interface: the
 * fleet-server does not import drivers (dependency rule), so the composition root hands in the
 * registry's definitions (`deviceModelCatalog(registry.definitions)`), and tests their own.
 */
export interface DeviceModelUpdateSupport {
  configSchema?: Record<string, unknown> | undefined
  firmware?: boolean | undefined
  /** The image format its firmware must parse as (artifact-content.ts); `kfw1` when not named. */
  firmwareFormat?: string | undefined
  hwRevisions?: string[] | undefined
}

export interface DeviceModelInfo {
  /** Registry definition id, e.g. `xprinter-xp-58iih`. */
  id: string
  /** The update vendor id: the registry's `vendorIdOf` (first segment of the id). */
  vendorId: string
  deviceClass: string
  /** Display vendor and model as kiosks report them in their births (e.g. `Xprinter (芯烨)`, `XP-T58H`). */
  vendor: string
  model: string
  update?: DeviceModelUpdateSupport | undefined
}

export interface DeviceModelCatalog {
  model(id: string): DeviceModelInfo | undefined
}

/** Same rule as `vendorIdOf` in drivers/registry/src/definition.ts. */
export function vendorIdOfModel(id: string): string {
  return id.split('-')[0] as string
}

export function deviceModelCatalog(
  definitions: readonly {
    id: string
    deviceClass: string
    vendor?: string
    model?: string
    update?: DeviceModelUpdateSupport | undefined
  }[],
): DeviceModelCatalog {
  const byId = new Map(
    definitions.map((d) => [
      d.id,
      {
        id: d.id,
        vendorId: vendorIdOfModel(d.id),
        deviceClass: d.deviceClass,
        vendor: d.vendor ?? vendorIdOfModel(d.id),
        model: d.model ?? d.id,
        update: d.update,
      },
    ]),
  )
  return { model: (id) => byId.get(id) }
}
