import { AppError } from '@drivers/core'
import Ajv from 'ajv'
import { type DeviceDefinition, QUIRK_KEYS } from './definition.ts'

export const RegistryErrorCodes = { invalid: 'ERR_DRV_REGISTRY_INVALID' } as const

const DEVICE_CLASSES = [
  'idCardReader',
  'receiptPrinter',
  'documentPrinter',
  'barcodeScanner',
  'documentScanner',
  'smartCardReader',
  'camera',
]
const TRANSPORTS = ['serial', 'hid', 'usb', 'tcp', 'ipp', 'sane', 'pcsc']
const isU16 = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 0xffff

/** Every problem with one definition, as readable strings (empty when valid). */
export function definitionProblems(def: DeviceDefinition): string[] {
  const problems: string[] = []
  const where = `definition ${JSON.stringify(def.id)}`
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(def.id)) problems.push(`${where}: id must be kebab-case`)
  if (!DEVICE_CLASSES.includes(def.deviceClass)) problems.push(`${where}: unknown deviceClass ${def.deviceClass}`)
  if (!TRANSPORTS.includes(def.transport)) problems.push(`${where}: unknown transport ${def.transport}`)
  for (const key of ['vendor', 'model', 'driver'] as const) {
    if (typeof def[key] !== 'string' || def[key].trim() === '') problems.push(`${where}: ${key} is required`)
  }
  if (!Array.isArray(def.match)) problems.push(`${where}: match must be an array`)
  else {
    for (const m of def.match) {
      if (!isU16(m.usbVendorId) || !isU16(m.usbProductId)) {
        problems.push(`${where}: match entries need usbVendorId and usbProductId in 1..0xffff`)
      }
    }
    // PC/SC readers are found by reader name, serial and network devices by address: only HID needs ids.
    if (def.transport === 'hid' && def.match.length === 0) {
      problems.push(`${where}: a ${def.transport} device needs at least one USB matcher`)
    }
  }
  const baud = def.defaults?.baudRate
  if (def.transport === 'serial' && !(Number.isInteger(baud) && (baud ?? 0) > 0)) {
    problems.push(`${where}: a serial device needs defaults.baudRate`)
  }
  // The paper-left estimate the fleet forecasts from starts at a full roll or tray of the model.
  if (def.deviceClass === 'receiptPrinter' && !((def.defaults?.rollLengthMm ?? 0) > 0)) {
    problems.push(`${where}: a receipt printer needs defaults.rollLengthMm`)
  }
  if (def.deviceClass === 'documentPrinter' && !((def.defaults?.trayCapacitySheets ?? 0) > 0)) {
    problems.push(`${where}: a document printer needs defaults.trayCapacitySheets`)
  }
  for (const key of Object.keys(def.quirks ?? {})) {
    if (!QUIRK_KEYS.includes(key as (typeof QUIRK_KEYS)[number])) problems.push(`${where}: unknown quirk ${key}`)
  }
  if (def.quirks?.hidWrapper && def.transport !== 'hid') problems.push(`${where}: hidWrapper needs transport hid`)
  const barcode = def.quirks?.barcode
  if (barcode) {
    const wants = barcode.mode === 'serial' ? 'serial' : 'hid'
    if (def.transport !== wants) problems.push(`${where}: barcode mode ${barcode.mode} needs transport ${wants}`)
    for (const key of ['suffixHex', 'prefixHex', 'triggerStartHex', 'triggerStopHex'] as const) {
      const hex = barcode[key]
      if (hex !== undefined && !/^([0-9a-f]{2})*$/.test(hex))
        problems.push(`${where}: barcode.${key} must be lower-case hex bytes`)
    }
  }
  problems.push(...updateProblems(def, where))
  return problems
}

const UPDATE_KEYS = ['configSchema', 'firmware', 'hwRevisions']

/** `update`: known keys only, a config schema that compiles (ajv, draft-07), hardware revisions as names. */
function updateProblems(def: DeviceDefinition, where: string): string[] {
  const update = def.update
  if (update === undefined) return []
  if (typeof update !== 'object' || update === null || Array.isArray(update))
    return [`${where}: update must be an object`]
  const problems: string[] = []
  for (const key of Object.keys(update))
    if (!UPDATE_KEYS.includes(key)) problems.push(`${where}: unknown update.${key}`)
  if (update.firmware !== undefined && typeof update.firmware !== 'boolean') {
    problems.push(`${where}: update.firmware must be a boolean`)
  }
  const revisions = update.hwRevisions
  if (revisions !== undefined) {
    if (!Array.isArray(revisions) || revisions.some((r) => typeof r !== 'string' || r.trim() === '')) {
      problems.push(`${where}: update.hwRevisions must be non-empty strings`)
    } else if (new Set(revisions).size !== revisions.length)
      problems.push(`${where}: update.hwRevisions repeats a name`)
  }
  if (update.firmware === true && (revisions === undefined || revisions.length === 0)) {
    problems.push(`${where}: a model that takes firmware needs update.hwRevisions (artifacts name them)`)
  }
  const schema = update.configSchema
  if (schema !== undefined) {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      problems.push(`${where}: update.configSchema must be a JSON Schema object`)
    } else {
      try {
        new Ajv({ strict: true, allErrors: true }).compile(schema)
        if (schema.type !== 'object') problems.push(`${where}: update.configSchema must describe an object`)
      } catch (err) {
        problems.push(`${where}: update.configSchema does not compile: ${(err as Error).message}`)
      }
    }
  }
  return problems
}

/** Throws ERR_DRV_REGISTRY_INVALID listing every problem of every definition, including duplicates. */
export function validateDefinitions(defs: readonly DeviceDefinition[]): void {
  const problems = defs.flatMap(definitionProblems)
  const ids = new Map<string, number>()
  const usb = new Map<string, string>()
  for (const def of defs) {
    ids.set(def.id, (ids.get(def.id) ?? 0) + 1)
    for (const m of def.match ?? []) {
      const key = usbKey(m.usbVendorId, m.usbProductId)
      const owner = usb.get(key)
      if (owner !== undefined && owner !== def.id) problems.push(`USB id ${key} is claimed by ${owner} and ${def.id}`)
      else if (owner === def.id) problems.push(`USB id ${key} is listed twice in ${def.id}`)
      usb.set(key, def.id)
    }
  }
  for (const [id, count] of ids) if (count > 1) problems.push(`definition id ${id} is used ${count} times`)
  if (problems.length > 0) {
    throw new AppError(RegistryErrorCodes.invalid, `invalid device registry:\n- ${problems.join('\n- ')}`, {
      context: { problems },
    })
  }
}

export function usbKey(vendorId: number, productId: number): string {
  const h = (n: number) => n.toString(16).padStart(4, '0')
  return `${h(vendorId)}:${h(productId)}`
}
