import { readFileSync } from 'node:fs'
import { loadLayeredConfig } from '@kiosk-fleet/protocol'
import { type FleetConfig, FleetConfigSchema } from './schema.ts'

/** Schema defaults < JSON file < FLEET_* env. Throws ConfigError listing every bad path. */
export function loadFleetConfig(options: {
  file?: string | undefined
  env?: Record<string, string | undefined>
}): Readonly<FleetConfig> {
  const file = options.file ? (JSON.parse(readFileSync(options.file, 'utf8')) as Record<string, unknown>) : {}
  return loadLayeredConfig(FleetConfigSchema, { file, env: options.env ?? {}, envPrefix: 'FLEET' })
}
