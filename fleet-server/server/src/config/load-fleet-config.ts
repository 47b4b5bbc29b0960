import { readFileSync } from 'node:fs'
import { loadLayeredConfig } from '@kiosk-fleet/protocol'
import { type FleetConfig, FleetConfigSchema } from './schema.ts'

/** Schema defaults < JSON file (a path, or its parsed values) < FLEET_* env. Throws ConfigError listing every bad path. */
export function loadFleetConfig(options: {
  file?: string | Record<string, unknown> | undefined
  env?: Record<string, string | undefined>
}): Readonly<FleetConfig> {
  const file =
    typeof options.file === 'string'
      ? (JSON.parse(readFileSync(options.file, 'utf8')) as Record<string, unknown>)
      : (options.file ?? {})
  return loadLayeredConfig(FleetConfigSchema, { file, env: options.env ?? {}, envPrefix: 'FLEET' })
}
