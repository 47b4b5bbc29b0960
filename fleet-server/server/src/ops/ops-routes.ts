import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf, requirePermission } from '../auth/guard.ts'
import type { Database } from '../db/database.ts'
import type { Ingestor } from '../ingest/ingestor.ts'
import type { LiveHub } from '../live/live-hub.ts'

export interface OpsRoutesOptions {
  db: Database
  ingestor: Ingestor
  live: LiveHub
  mqttConnected: () => boolean
}

export const opsRoutes: FastifyPluginAsyncTypebox<OpsRoutesOptions> = async (
  app,
  { db, ingestor, live, mqttConnected },
) => {
  app.get('/healthz', async () => ({ status: 'ok' }))

  app.get('/readyz', async (_request, reply) => {
    const broker = mqttConnected()
    let database = true
    try {
      await db.query('SELECT 1')
    } catch {
      database = false
    }
    const ready = broker && database
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'notReady', broker, database })
  })

  app.get('/api/ingest/stats', { preValidation: requirePermission('operate') }, async () => ({
    ...ingestor.stats,
    queued: ingestor.queued,
  }))

  /**
   * Server-sent events: `kiosks` with the changed kiosks' full views, as ingest commits them;
   * `rollout` and `artifact` with `[{id}]` of what changed (the dashboard re-reads it).
   */
  app.get('/api/stream', { preValidation: requirePermission('readFleet') }, (request, reply) => {
    reply.hijack()
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    })
    reply.raw.write(': connected\n\n')
    const unsubscribe = live.subscribe(
      principalOf(request),
      (kiosks) => reply.raw.write(`event: kiosks\ndata: ${JSON.stringify(kiosks)}\n\n`),
      (topic, ids) => reply.raw.write(`event: ${topic}\ndata: ${JSON.stringify(ids)}\n\n`),
    )
    const keepAlive = setInterval(() => reply.raw.write(': keep-alive\n\n'), 15_000)
    request.raw.on('close', () => {
      clearInterval(keepAlive)
      unsubscribe()
    })
  })
}
