/**
 * Composition root of the kiosk agent: env, root logger, config, wiring, signals.
 * Usage: kiosk-agent --config kiosk.json   (KIOSK_* env overrides any setting)
 */
import { parseArgs } from 'node:util'
import { ConfigError } from '@kiosk-fleet/protocol'
import { createKioskAgent } from './agent.ts'
import { loadAgentConfig } from './config/load-agent-config.ts'
import { createRootLogger } from './logger.ts'

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } } })
let config: ReturnType<typeof loadAgentConfig>
try {
  config = loadAgentConfig({ file: values.config ?? process.env.KIOSK_CONFIG, env: process.env })
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`kiosk-agent: ${err.message}\n`)
    process.exit(2)
  }
  throw err
}

const logger = createRootLogger(config.log.level)
const agent = createKioskAgent({ config, logger })
await agent.start()

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'stopping')
    agent.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stop failed')
        process.exit(1)
      },
    )
  })
}
