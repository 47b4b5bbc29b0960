import {
  densityToValue,
  encodeSetSwitches,
  encodeSetValues,
  SettingParam,
  SWITCH_BITS,
  type SwitchBits,
  valueToDensity,
} from './user-settings.ts'

/**
 * The configuration keys printer-escpos applies with GS ( E (user-settings.ts). Deliberately not
 * offered: paper width and Chinese-mode-at-power-up (the driver's profile from the registry assumes
 * them, so changing them on the device would misprint every receipt) and auto-cut (the driver cuts
 * each receipt with GS V; a device auto-cut would cut twice).
 */
export interface EscPosConfig {
  /** Print density in percent, 70–130 in steps of 5 (fn 5, a = 5). */
  printDensity?: number
  /** Print speed level, 1 (slowest) … model maximum (fn 5, a = 6). */
  printSpeed?: number
  /** Default single-byte character code table, ESC t numbering (fn 5, a = 97). */
  codePage?: number
  /**
   * Vendor memory switches (fn 3): `{ "1": "00100000" }`, 8 characters bit 8 first, '0' off,
   * '1' on, '2' leave as it is. For vendors' own config artifacts; the meaning is model-specific.
   */
  memorySwitches?: Record<string, SwitchBits>
}

export const ESCPOS_CONFIG_KEYS = ['printDensity', 'printSpeed', 'codePage', 'memorySwitches'] as const
/** The highest speed level any supported model takes; a model's configSchema narrows it. */
export const MAX_PRINT_SPEED = 13

/** What the driver writes: fn 5 values, fn 3 switches, and the expected read-back. */
export interface EscPosConfigPlan {
  keys: string[]
  values: Map<number, number>
  switches: Map<number, SwitchBits>
  commands: Uint8Array[]
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v)

/** Checks a config and turns it into GS ( E commands; every problem is listed, nothing thrown. */
export function planEscPosConfig(
  config: Record<string, unknown>,
): { ok: true; plan: EscPosConfigPlan } | { ok: false; unknownKeys: string[]; problems: string[] } {
  const problems: string[] = []
  const unknownKeys = Object.keys(config).filter((k) => !(ESCPOS_CONFIG_KEYS as readonly string[]).includes(k))
  for (const k of unknownKeys) problems.push(`unknown key ${k}`)
  const values = new Map<number, number>()
  const switches = new Map<number, SwitchBits>()
  const { printDensity, printSpeed, codePage, memorySwitches } = config
  if (printDensity !== undefined) {
    if (isInt(printDensity) && printDensity >= 70 && printDensity <= 130 && printDensity % 5 === 0) {
      values.set(SettingParam.printDensity, densityToValue(printDensity))
    } else problems.push('printDensity must be 70–130 in steps of 5')
  }
  if (printSpeed !== undefined) {
    if (isInt(printSpeed) && printSpeed >= 1 && printSpeed <= MAX_PRINT_SPEED) {
      values.set(SettingParam.printSpeed, printSpeed)
    } else problems.push(`printSpeed must be an integer 1–${MAX_PRINT_SPEED}`)
  }
  if (codePage !== undefined) {
    if (isInt(codePage) && codePage >= 0 && codePage <= 255) values.set(SettingParam.codePage, codePage)
    else problems.push('codePage must be an integer 0–255')
  }
  if (memorySwitches !== undefined) {
    if (typeof memorySwitches !== 'object' || memorySwitches === null || Array.isArray(memorySwitches)) {
      problems.push('memorySwitches must be an object')
    } else {
      for (const [msw, bits] of Object.entries(memorySwitches)) {
        if (!/^[1-8]$/.test(msw)) problems.push(`memorySwitches: switch ${msw} is not 1–8`)
        else if (typeof bits !== 'string' || !SWITCH_BITS.test(bits)) {
          problems.push(`memorySwitches.${msw} must be 8 characters of 0, 1 or 2`)
        } else switches.set(Number(msw), bits)
      }
    }
  }
  const keys = Object.keys(config).filter((k) => !unknownKeys.includes(k))
  if (problems.length > 0) return { ok: false, unknownKeys, problems }
  if (keys.length === 0) return { ok: false, unknownKeys, problems: ['the config sets nothing'] }
  const commands: Uint8Array[] = []
  if (values.size > 0) commands.push(encodeSetValues(values))
  if (switches.size > 0) commands.push(encodeSetSwitches(switches))
  return { ok: true, plan: { keys, values, switches, commands } }
}

/** Whether a switch read back (only 0/1) matches what was written ('2' = any). */
export function switchMatches(written: SwitchBits, readBack: SwitchBits): boolean {
  return [...written].every((c, i) => c === '2' || c === readBack[i])
}

/** Read-back values → config keys. */
export function configFromReadBack(values: ReadonlyMap<number, number>, switches: ReadonlyMap<number, string>) {
  const config: EscPosConfig = {}
  const density = values.get(SettingParam.printDensity)
  if (density !== undefined) config.printDensity = valueToDensity(density)
  const speed = values.get(SettingParam.printSpeed)
  if (speed !== undefined) config.printSpeed = speed
  const codePage = values.get(SettingParam.codePage)
  if (codePage !== undefined) config.codePage = codePage
  if (switches.size > 0) config.memorySwitches = Object.fromEntries([...switches].map(([k, v]) => [String(k), v]))
  return config
}
