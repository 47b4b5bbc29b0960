/**
 * Honeywell serial menu commands (docs/device-protocols.md §3.3, Honeywell N86 manual): `SYN M CR`, then
 * `TagSubTagData` commands separated by `;`, ended by `.` (saved in flash) or `!` (until power-off).
 * The scanner echoes each command followed by ACK (0x06, done), ENQ (0x05, unknown tag) or NAK
 * (0x15, data out of range), with the same terminator.
 */
export const HONEYWELL_MENU_PREFIX = Uint8Array.of(0x16, 0x4d, 0x0d)
export const MENU_SAVE = 0x2e // '.'
export const MENU_VOLATILE = 0x21 // '!'
export type MenuStatus = 'ack' | 'enq' | 'nak'
const STATUS: Record<number, MenuStatus> = { 6: 'ack', 5: 'enq', 21: 'nak' }
const STATUS_BYTE: Record<MenuStatus, number> = { ack: 0x06, enq: 0x05, nak: 0x15 }

export function encodeMenuCommand(commands: readonly string[], save = true): Uint8Array {
  for (const c of commands) {
    if (!/^[A-Z0-9]{6}[\x21-\x7e]*$/.test(c) || /[;.!]/.test(c)) throw new RangeError(`menu command ${c}`)
  }
  const text = new TextEncoder().encode(commands.join(';'))
  return Uint8Array.of(...HONEYWELL_MENU_PREFIX, ...text, save ? MENU_SAVE : MENU_VOLATILE)
}

/** `BEPLVL3<ACK>;BEPBEP1<ACK>.` → [{command, status}]; undefined when it is no menu reply. */
export function parseMenuReply(bytes: Uint8Array): { command: string; status: MenuStatus }[] | undefined {
  const last = bytes.at(-1)
  if (last !== MENU_SAVE && last !== MENU_VOLATILE) return undefined
  const parts: { command: string; status: MenuStatus }[] = []
  let start = 0
  for (let i = 0; i < bytes.length - 1; i++) {
    const status = STATUS[bytes[i] ?? 0]
    if (status === undefined) continue
    parts.push({ command: Buffer.from(bytes.subarray(start, i)).toString('latin1'), status })
    start = i + 1
    if (bytes[start] === 0x3b) start++
  }
  return parts.length > 0 ? parts : undefined
}

export function encodeMenuReply(results: readonly { command: string; status: MenuStatus }[], save = true): Uint8Array {
  const out: number[] = []
  results.forEach((r, i) => {
    if (i > 0) out.push(0x3b)
    out.push(...Buffer.from(r.command, 'latin1'), STATUS_BYTE[r.status])
  })
  out.push(save ? MENU_SAVE : MENU_VOLATILE)
  return Uint8Array.from(out)
}

/** The settings the scanner driver applies, as menu commands. */
export interface HoneywellScannerConfig {
  /** Good-read beep on or off (BEPBEP). */
  beeper?: boolean
  /** Good-read beep volume (BEPLVL 0–3). */
  beeperVolume?: 'off' | 'low' | 'medium' | 'high'
}
export const HONEYWELL_CONFIG_KEYS = ['beeper', 'beeperVolume'] as const
const VOLUMES = ['off', 'low', 'medium', 'high'] as const

export function planHoneywellConfig(
  config: Record<string, unknown>,
): { ok: true; keys: string[]; commands: string[] } | { ok: false; unknownKeys: string[]; problems: string[] } {
  const unknownKeys = Object.keys(config).filter((k) => !(HONEYWELL_CONFIG_KEYS as readonly string[]).includes(k))
  const problems = unknownKeys.map((k) => `unknown key ${k}`)
  const commands: string[] = []
  if (config.beeper !== undefined) {
    if (typeof config.beeper === 'boolean') commands.push(`BEPBEP${config.beeper ? 1 : 0}`)
    else problems.push('beeper must be true or false')
  }
  if (config.beeperVolume !== undefined) {
    const level = VOLUMES.indexOf(config.beeperVolume as (typeof VOLUMES)[number])
    if (level >= 0) commands.push(`BEPLVL${level}`)
    else problems.push(`beeperVolume must be one of ${VOLUMES.join(', ')}`)
  }
  if (problems.length > 0) return { ok: false, unknownKeys, problems }
  if (commands.length === 0) return { ok: false, unknownKeys, problems: ['the config sets nothing'] }
  return { ok: true, keys: Object.keys(config), commands }
}
