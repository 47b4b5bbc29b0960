import { readFileSync } from 'node:fs'
import { ConfigError, loadLayeredConfig } from '@kiosk-fleet/protocol'
import { formerPeripheralShapeProblems, peripheralKindProblems } from './peripheral-shape.ts'
import { type AgentConfig, AgentConfigSchema } from './schema.ts'

/** Schema defaults < JSON file (a path, or its parsed values) < KIOSK_* env. Throws ConfigError listing every bad path. */
export function loadAgentConfig(options: {
  file?: string | Record<string, unknown>
  env?: Record<string, string | undefined>
}): Readonly<AgentConfig> {
  const file =
    typeof options.file === 'string'
      ? (JSON.parse(readFileSync(options.file, 'utf8')) as Record<string, unknown>)
      : (options.file ?? {})
  const env = options.env ?? {}
  const former = [...formerPeripheralShapeProblems(file.peripherals), ...formerPeripheralShapeProblems(envJson(env))]
  if (former.length > 0) throw new ConfigError(former)
  const config = loadLayeredConfig(AgentConfigSchema, { file, env, envPrefix: 'KIOSK' })
  const kinds = peripheralKindProblems(config.peripherals)
  if (kinds.length > 0) throw new ConfigError(kinds)
  return config
}

function envJson(env: Record<string, string | undefined>): unknown {
  try {
    return JSON.parse(env.KIOSK_PERIPHERALS ?? 'null') as unknown
  } catch {
    return null // the layered loader reports it
  }
}
