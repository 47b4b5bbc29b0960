import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyError, LogController } from 'fastify'
import type { Logger } from 'pino'
import type { CommandSender } from './commands/command-sender.ts'
import type { Database } from './db/database.ts'
import { FleetErrorCodes } from './errors.ts'
import type { Ingestor } from './ingest/ingestor.ts'
import type { LiveHub } from './live/live-hub.ts'
import { KioskRepo } from './repos/kiosk-repo.ts'
import { kioskRoutes } from './routes/kiosk-routes.ts'
import { opsRoutes } from './routes/ops-routes.ts'

export const DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard', import.meta.url))

export interface AppDependencies {
  db: Database
  ingestor: Ingestor
  commands: CommandSender
  live: LiveHub
  mqttConnected: () => boolean
  commandDefaults: { timeoutMs: number; ttlMs: number }
  logger: Logger
}

/** Builds the HTTP app without listening (tests use `app.inject()`). */
export async function buildApp(deps: AppDependencies) {
  const app = Fastify({
    loggerInstance: deps.logger.child({ mod: 'fleet.http' }),
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>()
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500
    if (status >= 500) request.log.error({ err: error }, 'request failed')
    const code = error.validation
      ? FleetErrorCodes.badRequest
      : status >= 500
        ? FleetErrorCodes.internal
        : FleetErrorCodes.request
    return reply.code(status).send({ code, message: status >= 500 ? 'internal error' : error.message })
  })
  await app.register(kioskRoutes, {
    kiosks: new KioskRepo(deps.db),
    commands: deps.commands,
    commandDefaults: deps.commandDefaults,
  })
  await app.register(opsRoutes, {
    db: deps.db,
    ingestor: deps.ingestor,
    live: deps.live,
    mqttConnected: deps.mqttConnected,
  })
  await app.register(fastifyStatic, { root: DASHBOARD_DIR, prefix: '/' })
  return app
}

export type FleetApp = Awaited<ReturnType<typeof buildApp>>
