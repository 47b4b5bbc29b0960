import { readFileSync } from 'node:fs'
import { loadLayeredConfig } from '@kiosk-fleet/protocol'
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
  return loadLayeredConfig(AgentConfigSchema, { file, env: options.env ?? {}, envPrefix: 'KIOSK' })
}
