/**
 * Composition root of the kiosk agent: env, root logger, config, wiring, signals.
 * Usage: kiosk-agent --config kiosk.json   (KIOSK_* env overrides any setting)
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { isAppError } from '@drivers/core'
import pino from 'pino'
import { createKioskAgent } from './agent.ts'
import { configFromArgs } from './config/config-from-args.ts'
import { KioskErrorCodes } from './errors.ts'
import { EXIT_RESTART } from './launcher/agent-launcher.ts'
import { createRootLogger } from './logger.ts'
import { LogRing } from './logging/log-ring.ts'
import { rollBackReleaseThatCannotStart } from './updates/boot-guard.ts'

const { config } = configFromArgs('kiosk-agent')

// Logs go to stdout and, already redacted, into a ring the `collect-logs` command reads.
const logRing = new LogRing()
const logger = createRootLogger(config.log.level, pino.multistream([{ stream: process.stdout }, { stream: logRing }]))

let stopping = false
function stopAndExit(code: number, reason: string): void {
  if (stopping) return
  stopping = true
  logger.info({ reason }, 'stopping')
  const stopped = agent?.stop() ?? Promise.resolve()
  stopped.then(
    () => process.exit(code),
    (err: unknown) => {
      logger.error({ err }, 'stop failed')
      process.exit(1)
    },
  )
}

let agent: ReturnType<typeof createKioskAgent> | undefined
try {
  agent = createKioskAgent({
    config,
    logger,
    logRing,
    system: {
      restartAgent: () => stopAndExit(EXIT_RESTART, 'restart requested'),
      reboot: ([command, ...args]) => {
        if (command === undefined) return
        spawn(command, args, { detached: true, stdio: 'ignore' }).unref()
      },
    },
  })
  await agent.start()
} catch (err) {
  // A peripheral naming a model the registry or this agent's drivers do not have is a config error, as in configFromArgs.
  if (isAppError(err, KioskErrorCodes.deviceConfig)) {
    process.stderr.write(`kiosk-agent: invalid configuration (${err.code}): ${err.message}\n`)
    process.exit(2)
  }
  logger.fatal({ err }, 'agent failed to start')
  // A new app release on trial that cannot even start is rolled back here; the old release reports it.
  const guard = config.updates.enabled
    ? await rollBackReleaseThatCannotStart({
        releasesDir: config.updates.releasesDir ?? join(config.dataDir, 'app'),
        stateDir: config.updates.stateDir ?? join(config.dataDir, 'updates'),
        baseVersion: config.appVersion,
      }).catch((guardErr: unknown) => {
        logger.error({ err: guardErr }, 'boot guard failed')
        return undefined
      })
    : undefined
  if (guard?.rolledBack) {
    logger.warn(guard, 'release failed to start: rolled back, restarting on the previous release')
    process.exit(EXIT_RESTART)
  }
  process.exit(1)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopAndExit(0, signal))
