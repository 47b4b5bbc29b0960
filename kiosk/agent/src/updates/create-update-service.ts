import { join } from 'node:path'
import { AppError } from '@drivers/core'
import type { Logger } from 'pino'
import type { AgentConfig } from '../config/schema.ts'
import { KioskErrorCodes } from '../errors.ts'
import { TufVerifier } from './tuf-verifier.ts'
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

/** The update agent of `config.updates`, verifying TUF metadata from the fleet, serving `host`. */
export function createUpdateService(options: {
  config: AgentConfig
  host: UpdateHost
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
  const base = fleetUrl.endsWith('/') ? fleetUrl : `${fleetUrl}/`
  const verifier = new TufVerifier({
    metadataBaseUrl: new URL('updates/metadata/', base).toString(),
    targetBaseUrl: new URL('updates/targets/', base).toString(),
    metadataDir: join(stateDir, 'metadata'),
    targetDir: join(stateDir, 'tuf-targets'),
    trustedRootFile: updates.trustedRootFile ?? join(stateDir, 'root.json'),
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
      deviceTimeoutMs: updates.deviceTimeoutMs,
    },
    verifier,
    host: options.host,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    logger: options.logger,
  })
}
