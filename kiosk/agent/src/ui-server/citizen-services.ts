import type { Logger } from 'pino'
import type { DepartmentBackend } from '../backends/department-backend.ts'
import type { MaintenanceMode } from '../commands/maintenance.ts'
import type { AgentConfig } from '../config/schema.ts'
import type { DeviceManager } from '../devices/device-manager.ts'
import { flowFor } from '../flows/flow-catalog.ts'
import { createKioskCommands, kioskStatus } from '../local-api/kiosk-commands.ts'
import { LocalApi } from '../local-api/local-api-server.ts'
import { SessionManager } from '../sessions/session-manager.ts'
import type { TransactionCounter } from '../sessions/transaction-counter.ts'
import { createBootToken, DEFAULT_UI_DIR, startUiServer, type UiServer } from './ui-server.ts'

export interface CitizenServices {
  readonly sessions: SessionManager
  /** Where the UI is served, e.g. http://127.0.0.1:8631; the shell opens `${url}/#token=${token}`. */
  readonly url: string
  readonly token: string
  readonly localApi: LocalApi
  stop(): Promise<void>
}

/**
 * The citizen side of the agent: session manager, service flows, the local device API and the
 * UI server, wired to the device manager. Status changes reach the UI at once as unsolicited
 * `Common.StatusChangedEvent`s; a card taken away ends the sessions whose flow needs it.
 */
export async function startCitizenServices(options: {
  config: AgentConfig
  devices: DeviceManager
  backend: DepartmentBackend
  transactions: TransactionCounter
  /** IT staff's maintenance mode: the UI goes out of service while it is on. */
  maintenance?: MaintenanceMode
  logger: Logger
}): Promise<CitizenServices> {
  const { config, devices, logger } = options
  const sessions = new SessionManager({
    idleTimeoutMs: config.ui.idleTimeoutMs,
    idleWarningMs: config.ui.idleWarningMs,
    transactions: options.transactions,
  })
  const info = {
    kioskId: config.kioskId,
    machineType: config.machineType,
    siteName: config.site.name,
    ui: {
      idleTimeoutMs: config.ui.idleTimeoutMs,
      idleWarningMs: config.ui.idleWarningMs,
      defaultLanguage: config.ui.defaultLanguage,
      nearestService: { ...config.ui.nearestService },
    },
  }
  const ui: UiServer = await startUiServer({
    host: config.ui.host,
    port: config.ui.port,
    staticDir: config.ui.staticDir ?? DEFAULT_UI_DIR,
    logger,
  })
  const { token } = createBootToken(config.dataDir, ui.url)
  const localApi = new LocalApi({
    token,
    allowedOrigins: () => ui.origins,
    logger: logger.child({ mod: 'agent.local-api' }),
    handlers: createKioskCommands({
      info,
      devices,
      sessions,
      backend: options.backend,
      verifyBaseUrl: config.backend.verifyBaseUrl,
      cardWaitMs: config.ui.cardWaitMs,
      ...(options.maintenance ? { maintenance: options.maintenance } : {}),
      logger: logger.child({ mod: 'agent.flows' }),
    }),
  })
  localApi.attach(ui.server)

  const status = () =>
    kioskStatus({ devices, info, ...(options.maintenance ? { maintenance: options.maintenance } : {}) })
  const offs = [
    ...(options.maintenance
      ? [options.maintenance.onChanged(() => localApi.broadcast('Common.StatusChangedEvent', status()))]
      : []),
    devices.onChanged(() => localApi.broadcast('Common.StatusChangedEvent', status())),
    sessions.on((event) => {
      if (event.type === 'idleWarning') {
        localApi.broadcast('Session.IdleWarningEvent', { sessionId: event.sessionId, secondsLeft: event.secondsLeft })
      } else {
        logger.info({ serviceId: event.serviceId, reason: event.reason }, 'session ended')
        localApi.broadcast('Session.EndedEvent', { sessionId: event.sessionId, reason: event.reason })
      }
    }),
  ]
  const reader = devices.cardReader()
  if (reader) {
    offs.push(
      reader.on('cardRemoved', () => {
        const session = sessions.current
        if (session?.citizen && flowFor(session.serviceId)?.endsOnCardRemoval) sessions.end('cardRemoved')
      }),
    )
  }

  return {
    sessions,
    url: ui.url,
    token,
    localApi,
    async stop() {
      for (const off of offs) off()
      sessions.dispose()
      await localApi.close()
      await ui.close()
    },
  }
}
