/**
 * Composition root of the fleet-server: env, root logger, config, start, signals.
 * Usage: fleet-server [--config fleet.json]   (FLEET_* env overrides any setting)
 */
import { parseArgs } from 'node:util'
import { allDefinitions } from '@drivers/registry'
import { ConfigError } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { loadFleetConfig } from './config/load-fleet-config.ts'
import { startFleetServer } from './fleet-server.ts'
import { deviceModelCatalog } from './updates/device-models.ts'

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } } })
let config: ReturnType<typeof loadFleetConfig>
try {
  config = loadFleetConfig({ file: values.config ?? process.env.FLEET_CONFIG, env: process.env })
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`fleet-server: ${err.message}\n`)
    process.exit(2)
  }
  throw err
}
const logger = pino({
  level: config.log.level,
  base: { app: 'fleet-server' },
  redact: {
    paths: [
      '*.password',
      '*.token',
      'password',
      'token',
      '*.currentPassword',
      '*.newPassword',
      'req.headers.authorization',
      'req.headers.cookie',
    ],
    censor: '[redacted]',
  },
})
// The device registry says which models take firmware and config, and each model's config schema.
const server = await startFleetServer(config, logger, { deviceModels: deviceModelCatalog(allDefinitions) }).catch(
  (err: unknown) => {
    // A TLS file that cannot be read, clear text where no setting allows it, or a service catalogue
    // that is missing or invalid: say so and stop.
    const code = (err as { code?: unknown }).code
    if (code !== 'ERR_FLEET_TLS_CONFIG' && code !== 'ERR_FLEET_SERVICE_CATALOGUE_INVALID') throw err
    process.stderr.write(`fleet-server: ${code}: ${(err as Error).message}\n`)
    process.exit(2)
  },
)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stop failed')
        process.exit(1)
      },
    )
  })
}
