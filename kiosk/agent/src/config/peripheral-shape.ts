/**
 * Checks of `peripherals[]` that the schema cannot express: the shape before registry models
 * (`driver`, `registryId`, `deviceClass`, `vendor` on the peripheral) is refused with what to
 * write instead, and each peripheral is either a registry model or an explicit `emulated` one.
 */

/** Fields of the former peripheral shape that the registry model now provides. */
const FORMER_FIELDS: Record<string, string> = {
  driver: 'the model file names its driver; write "model": "<registry model id>" and "address"',
  registryId: 'write the registry model id in "model"',
  deviceClass: 'the device class comes from the registry model (or "emulated.deviceClass")',
  vendor: 'the vendor comes from the registry model (or "emulated.vendor")',
}

/** Problems with `peripherals` as given (file or env), before schema validation; empty when none. */
export function formerPeripheralShapeProblems(peripherals: unknown): string[] {
  if (!Array.isArray(peripherals)) return []
  const problems: string[] = []
  peripherals.forEach((p: unknown, i) => {
    if (typeof p !== 'object' || p === null) return
    for (const [field, instead] of Object.entries(FORMER_FIELDS)) {
      if (field in p) problems.push(`/peripherals/${i}/${field}: no longer a peripheral setting: ${instead}`)
    }
  })
  return problems
}

/** After validation: each peripheral names a registry `model` or is `emulated`, not both, not neither. */
export function peripheralKindProblems(peripherals: readonly { model?: string; emulated?: unknown }[]): string[] {
  const problems: string[] = []
  peripherals.forEach((p, i) => {
    if (p.model === undefined && p.emulated === undefined) {
      problems.push(`/peripherals/${i}: needs "model" (a device-registry model id) or "emulated"`)
    } else if (p.model !== undefined && p.emulated !== undefined) {
      problems.push(`/peripherals/${i}: "model" and "emulated" exclude each other`)
    }
  })
  return problems
}
