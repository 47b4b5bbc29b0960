import { join } from 'node:path'
import { AppError } from '@drivers/core'
import type { Logger } from 'pino'
import type { AgentConfig } from '../config/schema.ts'
import { KioskErrorCodes } from '../errors.ts'
import type { CatalogueUpdates } from './kind-installers.ts'
import { TufVerifier } from './tuf-verifier.ts'
import { updateChannelFetch } from './update-channel-fetch.ts'
import type { UpdateHost } from './update-host.ts'
import { UpdateService } from './update-service.ts'

/** Where the update agent keeps app releases and its own state (config, or under dataDir). */
export function updateDirs(config: Pick<AgentConfig, 'dataDir' | 'updates'>): {
  releasesDir: string
  stateDir: string
} {
  return {
    releasesDir: config.updates.releasesDir ?? join(config.dataDir, 'app'),
    stateDir: config.updates.stateDir ?? join(config.dataDir, 'updates'),
  }
}

/**
 * The update agent of `config.updates`, verifying TUF metadata from the fleet, serving `host`.
 * Metadata and targets travel over one `fetch`, trusting `updates.tls.ca` (ERR_KIOSK_UPDATES_TLS
 * when it cannot be read); a `fetch` given here (tests bind one to their server) replaces it.
 */
export function createUpdateService(options: {
  config: AgentConfig
  host: UpdateHost
  catalogue?: CatalogueUpdates
  fetch?: typeof fetch
  logger: Logger
}): UpdateService {
  const { config } = options
  const updates = config.updates
  const fleetUrl = updates.fleetUrl
  if (fleetUrl === undefined) {
    throw new AppError(KioskErrorCodes.updatesConfig, 'updates.enabled needs updates.fleetUrl')
  }
  const { releasesDir, stateDir } = updateDirs(config)
  // Checked even when a fetch is given: a kiosk that would refuse its config in production does in tests.
  const channelFetch = updateChannelFetch(updates)
  const doFetch = options.fetch ?? channelFetch
  const base = fleetUrl.endsWith('/') ? fleetUrl : `${fleetUrl}/`
  const verifier = new TufVerifier({
    metadataBaseUrl: new URL('updates/metadata/', base).toString(),
    targetBaseUrl: new URL('updates/targets/', base).toString(),
    metadataDir: join(stateDir, 'metadata'),
    targetDir: join(stateDir, 'tuf-targets'),
    trustedRootFile: updates.trustedRootFile ?? join(stateDir, 'root.json'),
    fetch: doFetch,
  })
  return new UpdateService({
    settings: {
      releasesDir,
      stateDir,
      baseAppVersion: config.appVersion,
      machineType: config.machineType,
      healthCheckTimeoutMs: updates.healthCheckTimeoutMs,
      metadataRefreshMs: updates.metadataRefreshMs,
      gatePollMs: updates.gatePollMs,
      staleRetryMs: updates.staleRetryMs,
      downloadRetryMs: updates.downloadRetryMs,
      downloadAttempts: updates.downloadAttempts,
      downloadLimits: {
        stallMs: updates.downloadStallMs,
        minBytesPerSecond: updates.downloadMinBytesPerSecond,
        rateWindowMs: updates.downloadRateWindowMs,
        deadlineMs: updates.downloadDeadlineMs,
      },
      deviceTimeoutMs: updates.deviceTimeoutMs,
    },
    verifier,
    host: options.host,
    ...(options.catalogue ? { catalogue: options.catalogue } : {}),
    fetch: doFetch,
    logger: options.logger,
  })
}
