/**
 * Composition root of the kiosk launcher, what systemd starts (`Restart=always`): it runs the agent of
 * the current app release and rolls back a release that keeps crashing while on trial.
 * Usage: kiosk-launcher --config kiosk.json   (the agent gets the same arguments; KIOSK_* env too)
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { configFromArgs } from './config/config-from-args.ts'
import { AgentLauncher } from './launcher/agent-launcher.ts'
import { createRootLogger } from './logger.ts'

/**
 * Set by `npm run build` (scripts/build/build.ts) to the agent bundle, relative to this module: the
 * built launcher runs the built agent with plain node; from sources it runs main.ts through tsx.
 */
declare const KIOSK_BUNDLED_AGENT: string | undefined
const bundledAgent = typeof KIOSK_BUNDLED_AGENT === 'string' ? KIOSK_BUNDLED_AGENT : undefined

const { config, configFile } = configFromArgs('kiosk-launcher')

const logger = createRootLogger(config.log.level).child({ module: 'launcher' })
const launcher = new AgentLauncher({
  paths: {
    releasesDir: config.updates.releasesDir ?? join(config.dataDir, 'app'),
    stateDir: config.updates.stateDir ?? join(config.dataDir, 'updates'),
    baseVersion: config.appVersion,
  },
  baseEntry:
    bundledAgent === undefined
      ? join(import.meta.dirname, 'main.ts')
      : fileURLToPath(new URL(bundledAgent, import.meta.url)),
  nodeArgs: bundledAgent === undefined ? ['--import', import.meta.resolve('tsx')] : [],
  agentArgs: configFile === undefined ? [] : ['--config', configFile],
  logger,
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => launcher.stop('SIGTERM'))
process.exit(await launcher.run())
