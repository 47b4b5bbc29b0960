import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { AppError } from '@drivers/core'
import type { Logger } from 'pino'
import type { CatalogueStore } from '../catalogue/catalogue-store.ts'
import type { ServiceAvailabilityModel } from '../catalogue/service-availability.ts'
import type { MaintenanceMode } from '../commands/maintenance.ts'
import type { AgentConfig } from '../config/schema.ts'
import type { DeviceManager } from '../devices/device-manager.ts'
import { FlowEngine, type IdentityPlugin } from '../engine/flow-engine.ts'
import { ssCardHolderPlugin } from '../engine/ss-card-holder.ts'
import { KioskErrorCodes } from '../errors.ts'
import type { DepartmentGateway } from '../gateway/department-gateway.ts'
import { testContainerPhotoDecoder } from '../identity/card-photo.ts'
import { CardPresence } from '../identity/card-presence.ts'
import { createIdentityCommands } from '../identity/identity-commands.ts'
import type { IdentityVerifier } from '../identity/identity-verifier.ts'
import { remoteVerifierFrom } from '../identity/remote-identity-verifier.ts'
import { createKioskCommands } from '../local-api/kiosk-commands.ts'
import { kioskStatus } from '../local-api/kiosk-status.ts'
import { type CommandHandler, LocalApi } from '../local-api/local-api-server.ts'
import { endSessionsOnCardRemoval } from '../sessions/card-removal.ts'
import { SessionManager } from '../sessions/session-manager.ts'
import type { TransactionCounter } from '../sessions/transaction-counter.ts'
import { VoicePrompts } from '../voice/voice-prompts.ts'
import { createBootToken, DEFAULT_UI_DIR, startUiServer, type UiServer } from './ui-server.ts'

/** The @vladmandic/human package the UI depends on (dist/ and models/). */
function humanPackageDir(staticDir: string): string {
  // Found the way Node finds a package (node_modules up the tree), without loading its Node entry:
  // a release carries only the browser build and the face models.
  for (let dir = resolve(staticDir, '..'); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '@vladmandic', 'human')
    if (existsSync(join(candidate, 'dist', 'human.esm.js'))) return candidate
    if (dirname(dir) === dir) break
  }
  throw new AppError(
    KioskErrorCodes.faceModelsMissing,
    `identity.faceCheck is onDevice but the face models (npm package @vladmandic/human) are not installed beside ${staticDir}`,
  )
}

/** `/voice/{lang}/{key}.wav` → the prompt's WAV. */
async function voicePrompt(voice: VoicePrompts, rest: string) {
  const m = /^(zh|en)\/([A-Za-z0-9.]+)\.wav$/.exec(rest)
  const body = m ? await voice.wav(m[1] as string, m[2] as string) : undefined
  return body ? { type: 'audio/wav', body } : undefined
}

export interface CitizenServices {
  readonly sessions: SessionManager
  /** Where the UI is served, e.g. http://127.0.0.1:8631; the shell opens `${url}/#token=${token}`. */
  readonly url: string
  readonly token: string
  readonly localApi: LocalApi
  readonly engine: FlowEngine
  stop(): Promise<void>
}

/**
 * The citizen side of the agent: session manager, the flow engine, the local device API and the
 * UI server. Availability changes (devices, gateway circuits, a new catalogue) reach the UI at once
 * as unsolicited `Common.StatusChangedEvent`s; a card taken away ends the sessions whose service
 * says so.
 */
export async function startCitizenServices(options: {
  config: AgentConfig
  devices: DeviceManager
  catalogue: CatalogueStore
  availability: ServiceAvailabilityModel
  gateway: DepartmentGateway
  /** More identity plugins (a face check); the social-security card holder plugin is built in. */
  identityPlugins?: Partial<Record<'idCardFace', IdentityPlugin>>
  transactions: TransactionCounter
  /** IT staff's maintenance mode: the UI goes out of service while it is on. */
  maintenance?: MaintenanceMode
  /** The identity platform client when `identity.faceCheck` is `remote`. */
  remoteVerifier?: IdentityVerifier
  /** More local API commands (the shell's screen captures, screen/shell-screen-link.ts). */
  moreHandlers?: Record<string, CommandHandler>
  logger: Logger
}): Promise<CitizenServices> {
  const { config, devices, catalogue, availability, logger } = options
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
      faceCheck: config.identity.faceCheck,
    },
  }
  const staticDir = config.ui.staticDir ?? DEFAULT_UI_DIR
  const voice = new VoicePrompts({
    uiDir: staticDir,
    cacheDir: join(config.dataDir, 'voice'),
    ...(config.identity.voice.recordedDir ? { recordedDir: config.identity.voice.recordedDir } : {}),
    espeak: config.identity.voice.espeak,
    logger: logger.child({ mod: 'agent.voice' }),
  })
  const ui: UiServer = await startUiServer({
    host: config.ui.host,
    port: config.ui.port,
    staticDir,
    mounts: [
      // The face models ship inside the npm package and are served from the kiosk's own disk.
      ...(config.identity.faceCheck === 'onDevice'
        ? [{ prefix: '/vendor/human/', dir: humanPackageDir(staticDir) }]
        : []),
      { prefix: '/voice/', generate: (rest) => voicePrompt(voice, rest) },
    ],
    logger,
  })
  const { token } = createBootToken(config.dataDir, ui.url)
  const engine = new FlowEngine({
    catalogue,
    gateway: options.gateway,
    devices,
    availability,
    kioskId: config.kioskId,
    verifyBaseUrl: config.backend.verifyBaseUrl,
    plugins: { idOrSsCardPin: ssCardHolderPlugin(devices), ...options.identityPlugins },
    logger: logger.child({ mod: 'agent.engine' }),
  })
  const sources = {
    info,
    devices,
    catalogue,
    availability,
    transactions: options.transactions,
    ...(options.maintenance ? { maintenance: options.maintenance } : {}),
  }
  const remoteVerifier = options.remoteVerifier ?? remoteVerifierFrom(config.identity)
  const idReader = devices.cardReader()
  const ssReader = devices.socialSecurityCardReader()
  const presence = idReader ? new CardPresence(idReader) : undefined
  const kioskCommands = createKioskCommands({
    ...sources,
    sessions,
    engine,
    cardWaitMs: config.ui.cardWaitMs,
    ...(presence ? { presence } : {}),
    logger: logger.child({ mod: 'agent.flows' }),
  })
  const localApi = new LocalApi({
    token,
    allowedOrigins: () => ui.origins,
    logger: logger.child({ mod: 'agent.local-api' }),
    handlers: {
      ...options.moreHandlers,
      ...kioskCommands,
      ...createIdentityCommands({
        sessions,
        mode: config.identity.faceCheck,
        ...(remoteVerifier ? { remote: remoteVerifier } : {}),
        // Vendor WLT decoders plug in here; the test container is for the emulator's cards.
        decoders: [testContainerPhotoDecoder],
        maxTries: config.identity.maxFaceTries,
        logger: logger.child({ mod: 'agent.identity' }),
      }),
      'Common.Status': async (payload, ctx) => ({
        ...(await (kioskCommands['Common.Status'] as NonNullable<(typeof kioskCommands)['Common.Status']>)(
          payload,
          ctx,
        )),
        cardPresent: presence?.present ?? false,
      }),
    },
  })
  localApi.attach(ui.server)

  const status = () => kioskStatus(sources)
  const offs = [
    ...(options.maintenance
      ? [options.maintenance.onChanged(() => localApi.broadcast('Common.StatusChangedEvent', status()))]
      : []),
    availability.onChanged(() => localApi.broadcast('Common.StatusChangedEvent', status())),
    sessions.on((event) => {
      if (event.type === 'idleWarning') {
        localApi.broadcast('Session.IdleWarningEvent', { sessionId: event.sessionId, secondsLeft: event.secondsLeft })
      } else {
        logger.info({ serviceId: event.serviceId, reason: event.reason }, 'session ended')
        localApi.broadcast('Session.EndedEvent', { sessionId: event.sessionId, reason: event.reason })
        // A catalogue that arrived during the session goes live now; the counts behind "most used" moved.
        catalogue.sessionEnded()
        localApi.broadcast('Common.StatusChangedEvent', status())
      }
    }),
  ]
  // A lifted card ends the session only where the service definition says so (sessions/card-removal.ts).
  offs.push(
    endSessionsOnCardRemoval({
      sessions,
      ...(idReader ? { idReader } : {}),
      ...(ssReader ? { ssReader } : {}),
      endsOnCardRemoval: (serviceId) => catalogue.service(serviceId)?.endsOnCardRemoval ?? false,
    }),
  )
  if (presence) {
    offs.push(
      // Whether a card lies on the reader (nothing else): the UI asks the citizen to take it.
      presence.onChanged((present) => localApi.broadcast('Identity.CardPresenceEvent', { present })),
      () => presence.dispose(),
    )
  }

  return {
    sessions,
    url: ui.url,
    token,
    localApi,
    engine,
    async stop() {
      for (const off of offs) off()
      sessions.dispose()
      await localApi.close()
      await ui.close()
    },
  }
}
