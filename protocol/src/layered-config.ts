import { type Static, type TSchema, Type } from '@sinclair/typebox'
import Ajv from 'ajv'

/**
 * Layered settings for both apps (fastify / zigbee2mqtt style): schema defaults < JSON file < env.
 * Lives beside the contract because kiosk and fleet-server share nothing else.
 *
 * Env: `{PREFIX}_{PATH}` where path segments are joined by `__` and each segment is UPPER_SNAKE
 * for a camelCase key: `KIOSK_MQTT__KEEPALIVE_S=10` sets `mqtt.keepaliveS`. Values are JSON when the
 * target is not a string (`KIOSK_PERIPHERALS='[...]'`, `FLEET_HTTP__PORT=8080`).
 */
export interface LayeredConfigInput {
  file?: Record<string, unknown>
  env?: Record<string, string | undefined>
  envPrefix: string
}

/** The `log` section both apps share: pino's level. */
export const LogConfig = Type.Object(
  {
    level: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info' },
    ),
  },
  { additionalProperties: false, default: {} },
)

export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG_INVALID'
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`)
    this.name = 'ConfigError'
  }
}

export function loadLayeredConfig<S extends TSchema>(schema: S, input: LayeredConfigInput): Readonly<Static<S>> {
  const merged = structuredClone(input.file ?? {})
  const problems: string[] = []
  for (const [name, raw] of Object.entries(input.env ?? {})) {
    if (raw === undefined || !name.startsWith(`${input.envPrefix}_`)) continue
    const path = name
      .slice(input.envPrefix.length + 1)
      .split('__')
      .map(camelCase)
    const target = schemaAt(schema, path)
    if (target === undefined) {
      problems.push(`${name}: no setting at ${path.join('.')}`)
      continue
    }
    let value: unknown = raw
    if (target.type !== 'string' && !isStringUnion(target)) {
      try {
        value = JSON.parse(raw)
      } catch {
        problems.push(`${name}: expected JSON for ${path.join('.')}, got ${JSON.stringify(raw)}`)
        continue
      }
    }
    setAt(merged, path, value)
  }
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false })
  const validate = ajv.compile(schema)
  if (!validate(merged)) {
    for (const e of validate.errors ?? []) {
      const where = e.instancePath || '/'
      const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : ''
      problems.push(`${where}: ${e.message ?? 'invalid'}${extra}`)
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return deepFreeze(merged) as Readonly<Static<S>>
}

function camelCase(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

function schemaAt(schema: TSchema, path: string[]): TSchema | undefined {
  let current: TSchema | undefined = schema
  for (const key of path) {
    const properties: Record<string, TSchema> | undefined = (current as { properties?: Record<string, TSchema> })
      .properties
    current = properties?.[key]
    if (current === undefined) return undefined
  }
  return current
}

function isStringUnion(schema: TSchema): boolean {
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf
  return Array.isArray(anyOf) && anyOf.every((s) => s.type === 'string')
}

function setAt(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target
  for (const key of path.slice(0, -1)) {
    const next = node[key]
    if (typeof next !== 'object' || next === null) node[key] = {}
    node = node[key] as Record<string, unknown>
  }
  const last = path.at(-1)
  if (last !== undefined) node[last] = value
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
