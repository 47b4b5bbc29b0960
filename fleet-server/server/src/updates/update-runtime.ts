import type { CatalogueFile } from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import type { AuditLog } from '../audit/audit-log.ts'
import type { Database } from '../db/database.ts'
import { ArtifactRepo } from './artifact-repo.ts'
import { ArtifactService } from './artifact-service.ts'
import { DatabaseMetadataStore } from './database-metadata-store.ts'
import type { DeviceModelCatalog } from './device-models.ts'
import { RepositoryRefresher, setUpUpdateRepository } from './repository-setup.ts'
import { applyRestoreFloor } from './restore-floor.ts'
import type { RepositoryLifetimes, TufRepository } from './tuf-repository.ts'
import { UploadSpool } from './upload-spool.ts'

export interface UpdatesSettings {
  dir: string
  rootFile?: string | undefined
  onlineKeysFile?: string | undefined
  refreshIntervalMs: number
  maxArtifactBytes: number
  uploadTtlMs: number
}

/** The update repository and artifacts of one fleet-server, wired for the HTTP routes. */
export interface UpdateRuntime {
  store: DatabaseMetadataStore
  spool: UploadSpool
  artifacts: ArtifactRepo
  service: ArtifactService
  /** The repository, or the reason there is none yet. */
  repository(): TufRepository | string
  refresher: RepositoryRefresher | undefined
  stop(): Promise<void>
}

export async function startUpdateRuntime(options: {
  db: Database
  settings: UpdatesSettings
  audit: AuditLog
  models: DeviceModelCatalog
  clock: () => number
  logger: Logger
  lifetimes?: RepositoryLifetimes
  /** An artifact's status, upload progress or approvals changed (live dashboards). */
  onArtifactChanged?: (artifactId: string) => void
  /** The fleet's catalogue folder's files: uploaded bundles are checked laid over them (ArtifactService). */
  fleetCatalogueFiles?: () => CatalogueFile[]
}): Promise<UpdateRuntime> {
  const { db, settings, logger, clock } = options
  const store = new DatabaseMetadataStore(db, settings.dir)
  // A broken update setup (unreadable keys, keys not in root) must not stop fleet monitoring:
  // it is logged and every update route answers with the reason.
  const state = await setUpUpdateRepository({
    store,
    rootFile: settings.rootFile,
    onlineKeysFile: settings.onlineKeysFile,
    now: clock(),
    logger,
    ...(options.lifetimes === undefined ? {} : { lifetimes: options.lifetimes }),
  }).catch((err: unknown) => {
    const reason = `update repository unavailable: ${err instanceof Error ? err.message : String(err)}`
    logger.error({ err }, reason)
    return { ready: false as const, reason }
  })
  if (state.ready) {
    // Failing here leaves kiosks refusing a restored repository: loud, but monitoring keeps running.
    await applyRestoreFloor({ db, repo: state.repo, audit: options.audit, now: clock(), logger }).catch(
      (err: unknown) =>
        logger.error({ err }, 'could not re-sign the restored repository above its version floor; restart to retry'),
    )
  }
  const spool = new UploadSpool(settings.dir)
  const artifacts = new ArtifactRepo(db, options.onArtifactChanged)
  const repository = (): TufRepository | string => (state.ready ? state.repo : state.reason)
  const service: ArtifactService = new ArtifactService({
    artifacts,
    spool,
    models: options.models,
    audit: options.audit,
    repository,
    maxArtifactBytes: settings.maxArtifactBytes,
    uploadTtlMs: settings.uploadTtlMs,
    clock,
    logger,
    ...(options.fleetCatalogueFiles === undefined
      ? {}
      : {
          fleetCatalogueFiles: options.fleetCatalogueFiles,
          publishedCatalogue: () => service.publishedCatalogueBundles(store),
        }),
  })
  const refresher = state.ready
    ? new RepositoryRefresher(state.repo, { intervalMs: settings.refreshIntervalMs, clock, logger })
    : undefined
  refresher?.start()
  let expiring: Promise<unknown> = Promise.resolve()
  const expire = () => {
    expiring = service.expireUploads().catch((err: unknown) => logger.warn({ err }, 'expiring uploads failed'))
  }
  const expiryTimer = setInterval(expire, settings.refreshIntervalMs)
  expiryTimer.unref()
  if (state.ready) logger.info({ versions: await state.repo.versions(), dir: settings.dir }, 'update repository ready')
  return {
    store,
    spool,
    artifacts,
    service,
    repository,
    refresher,
    async stop() {
      clearInterval(expiryTimer)
      await expiring
      await refresher?.stop()
    },
  }
}
