/**
 * Composition root of the kiosk launcher, what systemd starts (`Restart=always`): it runs the agent of
 * the current app release and rolls back a release that keeps crashing while on trial.
 * Usage: kiosk-launcher --config kiosk.json   (the agent gets the same arguments; KIOSK_* env too)
 */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ConfigError } from '@kiosk-fleet/protocol'
import { loadAgentConfig } from './config/load-agent-config.ts'
import { AgentLauncher } from './launcher/agent-launcher.ts'
import { createRootLogger } from './logger.ts'

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } } })
let config: ReturnType<typeof loadAgentConfig>
try {
  config = loadAgentConfig({ file: values.config ?? process.env.KIOSK_CONFIG, env: process.env })
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`kiosk-launcher: ${err.message}\n`)
    process.exit(2)
  }
  throw err
}

const logger = createRootLogger(config.log.level).child({ module: 'launcher' })
const launcher = new AgentLauncher({
  paths: {
    releasesDir: config.updates.releasesDir ?? join(config.dataDir, 'app'),
    stateDir: config.updates.stateDir ?? join(config.dataDir, 'updates'),
    baseVersion: config.appVersion,
  },
  baseEntry: join(import.meta.dirname, 'main.ts'),
  agentArgs: values.config === undefined ? [] : ['--config', values.config],
  logger,
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => launcher.stop('SIGTERM'))
process.exit(await launcher.run())
