/**
 * Composition root of the kiosk launcher, what systemd starts (`Restart=always`): it runs the agent of
 * the current app release and rolls back a release that keeps crashing while on trial.
 * Usage: kiosk-launcher --config kiosk.json   (the agent gets the same arguments; KIOSK_* env too)
 */
import { join } from 'node:path'
import { configFromArgs } from './config/config-from-args.ts'
import { AgentLauncher } from './launcher/agent-launcher.ts'
import { createRootLogger } from './logger.ts'

const { config, configFile } = configFromArgs('kiosk-launcher')

const logger = createRootLogger(config.log.level).child({ module: 'launcher' })
const launcher = new AgentLauncher({
  paths: {
    releasesDir: config.updates.releasesDir ?? join(config.dataDir, 'app'),
    stateDir: config.updates.stateDir ?? join(config.dataDir, 'updates'),
    baseVersion: config.appVersion,
  },
  baseEntry: join(import.meta.dirname, 'main.ts'),
  agentArgs: configFile === undefined ? [] : ['--config', configFile],
  logger,
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => launcher.stop('SIGTERM'))
process.exit(await launcher.run())
