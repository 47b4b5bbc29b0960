import { readFileSync } from 'node:fs'
import { loadLayeredConfig } from '@kiosk-fleet/protocol'
import { type AgentConfig, AgentConfigSchema } from './schema.ts'

/** Schema defaults < JSON file < KIOSK_* env. Throws ConfigError listing every bad path. */
export function loadAgentConfig(options: {
  file?: string
  env?: Record<string, string | undefined>
}): Readonly<AgentConfig> {
  const file = options.file ? (JSON.parse(readFileSync(options.file, 'utf8')) as Record<string, unknown>) : {}
  return loadLayeredConfig(AgentConfigSchema, { file, env: options.env ?? {}, envPrefix: 'KIOSK' })
}
