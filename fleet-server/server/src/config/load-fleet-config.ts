import { readFileSync } from 'node:fs'
import { ConfigError, loadLayeredConfig } from '@kiosk-fleet/protocol'
import { resolveBaseMap } from '../map/base-map.ts'
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
  const config = loadLayeredConfig(FleetConfigSchema, { file, env: options.env ?? {}, envPrefix: 'FLEET' })
  // Settings that depend on each other: the base map's (a preset's key, a template's placeholders).
  try {
    resolveBaseMap(config.dashboard)
  } catch (err) {
    if (err instanceof TypeError) throw new ConfigError([`/dashboard: ${err.message}`])
    throw err
  }
  return config
}
