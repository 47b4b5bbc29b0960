import type { Static } from '@sinclair/typebox'
import type { FastifyPluginAsync } from 'fastify'
import type { Logger } from 'pino'
import type { AuditLog } from '../audit/audit-log.ts'
import type { Database } from '../db/database.ts'
import { type AlertsConfigSchema, alertPolicyFrom } from './alert-config.ts'
import { AlertEngine, type AlertEvent } from './alert-engine.ts'
import { AlertNotifier } from './alert-notifier.ts'
import { alertOpsRoutes } from './alert-ops-routes.ts'
import type { Fetch } from './notify-channels.ts'
import { NotifySettingsStore } from './notify-settings.ts'
import { SilenceStore } from './silence-store.ts'

export interface AlertModuleOptions {
  db: Database
  config: Static<typeof AlertsConfigSchema>
  audit: AuditLog
  logger: Logger
  /** Besides notifying: what else follows the engine's events (the live dashboard). */
  onEvents?: (events: AlertEvent[]) => void
  fetch?: Fetch
  now?: () => number
  /** How often unacknowledged alerts are checked for escalation (default 30 s). */
  escalationCheckMs?: number
}

/** The alert engine, its notifier, silences and runtime notification settings: one factory for main. */
export function createAlertModule(o: AlertModuleOptions) {
  const { smtp, ...fileSettings } = o.config.notify
  const settings = new NotifySettingsStore(o.db, fileSettings)
  const notifier = new AlertNotifier({
    settings: () => settings.current(),
    smtp,
    db: o.db,
    logger: o.logger.child({ mod: 'fleet.notify' }),
    ...(o.fetch === undefined ? {} : { fetch: o.fetch }),
    ...(o.now === undefined ? {} : { now: o.now }),
  })
  const engine = new AlertEngine({
    db: o.db,
    policy: alertPolicyFrom(o.config),
    logger: o.logger.child({ mod: 'fleet.alerts' }),
    ...(o.now === undefined ? {} : { now: o.now }),
    onEvents: (events) => {
      notifier.notify(events).catch((err: unknown) => o.logger.warn({ err }, 'alert notification failed'))
      o.onEvents?.(events)
    },
  })
  const silences = new SilenceStore(o.db, o.now)
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(alertOpsRoutes, {
      db: o.db,
      silences,
      settings,
      engine,
      audit: o.audit,
      ...(o.now === undefined ? {} : { now: o.now }),
    })
  }
  return {
    engine,
    notifier,
    settings,
    silences,
    routes,
    async start() {
      if (!o.config.enabled) return
      await engine.start()
      notifier.start(o.escalationCheckMs)
    },
    async stop() {
      await engine.stop()
      await notifier.close()
    },
  }
}
export type AlertModule = ReturnType<typeof createAlertModule>
