import { parseArgs } from 'node:util'
import { ConfigError } from '@kiosk-fleet/protocol'
import { loadAgentConfig } from './load-agent-config.ts'
import type { AgentConfig } from './schema.ts'

/**
 * The config a kiosk program was started with: `--config FILE` (or KIOSK_CONFIG) and KIOSK_* env.
 * A bad config ends the process with status 2 and the reason, as for any usage error.
 */
export function configFromArgs(program: string): { config: Readonly<AgentConfig>; configFile: string | undefined } {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } } })
  try {
    return {
      config: loadAgentConfig({ file: values.config ?? process.env.KIOSK_CONFIG, env: process.env }),
      configFile: values.config,
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${program}: ${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
}
