import { access, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { TufMetadataStore } from './metadata-store.ts'
import { createRoot, ONLINE_KEYS_FILE } from './root-keys-cli.ts'
import { createSigner, isTufKeyPairJson } from './tuf-keys.ts'
import { DEFAULT_LIFETIMES, type OnlineSigners, type RepositoryLifetimes, TufRepository } from './tuf-repository.ts'
import { DAY_MS } from './tuf-time.ts'

const CREATE_ROOT_HINT =
  'create one offline with `npx tsx fleet-server/server/src/updates/root-keys-cli.ts create-root --out DIR --threshold 2 --keys 3`, then set updates.rootFile to DIR/root.json and updates.onlineKeysFile to DIR/online-keys.json'

/** Reads `online-keys.json` as written by root-keys-cli: `{targets, snapshot, timestamp}` key pairs. */
export async function loadOnlineSigners(file: string, logger?: Logger): Promise<OnlineSigners> {
  const mode = (await stat(file)).mode & 0o777
  if ((mode & 0o077) !== 0) {
    logger?.warn({ file, mode: mode.toString(8) }, 'online TUF keys file is readable by others: chmod 600 it')
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    throw new Error(`${file}: not JSON (${error instanceof Error ? error.message : String(error)})`)
  }
  const keys = parsed as Record<string, unknown>
  const signers: Partial<OnlineSigners> = {}
  for (const role of ['targets', 'snapshot', 'timestamp'] as const) {
    const pair = keys?.[role]
    if (!isTufKeyPairJson(pair)) throw new Error(`${file}: "${role}" is not an ed25519 key pair`)
    signers[role] = createSigner(pair)
  }
  return signers as OnlineSigners
}

export type UpdateRepositoryState =
  | { ready: true; repo: TufRepository; initialised: boolean }
  | { ready: false; reason: string }

/**
 * Opens the repository published in `store`, or publishes it from the offline-signed `rootFile` when
 * the store is empty. Without keys or root it reports why (the server still runs; update routes
 * answer ERR_FLEET_UPDATES_NOT_INITIALISED). A store that already has a root publishes a `rootFile`
 * one version newer (renewal or key rotation, `root-keys-cli sign-root`) and keeps it otherwise.
 */
export async function setUpUpdateRepository(options: {
  store: TufMetadataStore
  rootFile?: string | undefined
  onlineKeysFile?: string | undefined
  now: number
  logger: Logger
  lifetimes?: RepositoryLifetimes
}): Promise<UpdateRepositoryState> {
  const { store, logger } = options
  const lifetimes = options.lifetimes ?? DEFAULT_LIFETIMES
  if (options.onlineKeysFile === undefined) {
    const reason = `update repository not initialised: no updates.onlineKeysFile; ${CREATE_ROOT_HINT}`
    logger.warn(reason)
    return { ready: false, reason }
  }
  const signers = await loadOnlineSigners(options.onlineKeysFile, logger)
  const storedRoot = await store.readMetadata('root.json')
  if (storedRoot !== undefined) {
    // A rootFile one version on from the stored root is a renewal or rotation signed offline.
    const rootJson = options.rootFile === undefined ? undefined : await readFile(options.rootFile, 'utf8')
    const before = (JSON.parse(storedRoot) as { signed: { version: number } }).signed.version
    const repo = await TufRepository.open(
      store,
      signers,
      lifetimes,
      rootJson === undefined ? undefined : { json: rootJson, now: options.now },
    )
    const after = (await repo.versions()).root
    if (after > before) logger.info({ rootFile: options.rootFile, version: after }, 'published the new root version')
    return { ready: true, repo, initialised: false }
  }
  if (options.rootFile === undefined) {
    const reason = `update repository not initialised: no updates.rootFile; ${CREATE_ROOT_HINT}`
    logger.warn(reason)
    return { ready: false, reason }
  }
  const rootJson = await readFile(options.rootFile, 'utf8')
  const repo = await TufRepository.initialize(store, rootJson, signers, options.now, lifetimes)
  logger.info({ rootFile: options.rootFile }, 'update repository initialised from the offline-signed root')
  return { ready: true, repo, initialised: true }
}

/**
 * DEVELOPMENT ONLY (demo, local runs): a 1-of-1 root and online keys in `dir`, created when absent.
 * The root key stays in that directory, which defeats the point of an offline root; real fleets run
 * the root ceremony (`root-keys-cli create-root`) on an offline machine.
 */
export async function createDevelopmentUpdateKeys(
  dir: string,
  now = Date.now(),
): Promise<{ rootFile: string; onlineKeysFile: string; created: boolean }> {
  const rootFile = join(dir, 'root.json')
  const onlineKeysFile = join(dir, ONLINE_KEYS_FILE)
  const exists = await access(rootFile).then(
    () => true,
    () => false,
  )
  if (exists) return { rootFile, onlineKeysFile, created: false }
  await createRoot(dir, 1, 1, now)
  return { rootFile, onlineKeysFile, created: true }
}

export interface RefreshStats {
  runs: number
  resigned: { targets: number; snapshot: number; timestamp: number }
  /** When the published root expires (ISO), as of the last check. */
  rootExpires?: string | undefined
  /** When each vendor's role expires (ISO), as of the last check. */
  vendorRoleExpires: Record<string, string>
  /** When each department's catalogue role expires (ISO), as of the last check. */
  departmentRoleExpires: Record<string, string>
  failures: number
  lastError?: string | undefined
}

/** Days before root or a vendor role expires from which every refresh warns. */
const EXPIRY_WARNING_DAYS = 60

/**
 * Re-signs targets, snapshot and timestamp before they expire, every `intervalMs`. A failure is logged and
 * counted and tried again next time; it never stops the server.
 */
export class RepositoryRefresher {
  readonly stats: RefreshStats = {
    runs: 0,
    resigned: { targets: 0, snapshot: 0, timestamp: 0 },
    failures: 0,
    vendorRoleExpires: {},
    departmentRoleExpires: {},
  }
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> = Promise.resolve()

  constructor(
    private readonly repo: TufRepository,
    private readonly options: { intervalMs: number; clock: () => number; logger: Logger },
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      void this.runOnce()
    }, this.options.intervalMs)
    this.timer.unref()
    void this.runOnce()
  }

  /** One check (also for tests with an injected clock); resolves when done, never rejects. */
  runOnce(): Promise<void> {
    this.running = this.running.then(async () => {
      this.stats.runs += 1
      try {
        const now = this.options.clock()
        const outcome = await this.repo.refreshIfNearExpiry(now)
        if (outcome.targets) this.stats.resigned.targets += 1
        if (outcome.snapshot) this.stats.resigned.snapshot += 1
        if (outcome.timestamp) this.stats.resigned.timestamp += 1
        // Only the offline root keys renew root, only a vendor's keys its role: say so while there is time.
        const rootExpires = await this.repo.rootExpires()
        this.stats.rootExpires = rootExpires
        this.#warnIfExpiring(
          now,
          rootExpires,
          { rootExpires },
          'TUF root expires soon: renew it offline with root-keys-cli sign-root and publish it',
        )
        // After a vendor role expires no kiosk installs that vendor's firmware or config.
        this.stats.vendorRoleExpires = await this.repo.vendorRoleExpiries()
        for (const [vendor, expires] of Object.entries(this.stats.vendorRoleExpires)) {
          this.#warnIfExpiring(
            now,
            expires,
            { vendor, expires },
            "a vendor's TUF role expires soon: the vendor re-signs it with fleetctl vendors resign",
          )
        }
        // …and no kiosk loads that department's catalogue bundles.
        this.stats.departmentRoleExpires = await this.repo.vendorRoleExpiries('department')
        for (const [department, expires] of Object.entries(this.stats.departmentRoleExpires)) {
          this.#warnIfExpiring(
            now,
            expires,
            { department, expires },
            "a department's TUF role expires soon: the department re-signs it with fleetctl departments resign",
          )
        }
        if (outcome.targets || outcome.snapshot || outcome.timestamp) {
          this.options.logger.info(
            { ...outcome, timestampExpires: await this.repo.timestampExpires() },
            'TUF metadata re-signed before expiry',
          )
        }
      } catch (error) {
        this.stats.failures += 1
        this.stats.lastError = error instanceof Error ? error.message : String(error)
        this.options.logger.error({ err: error }, 'TUF metadata refresh failed; retrying at the next interval')
      }
    })
    return this.running
  }

  #warnIfExpiring(now: number, expires: string, fields: Record<string, string>, message: string): void {
    const daysLeft = Math.floor((Date.parse(expires) - now) / DAY_MS)
    if (daysLeft < EXPIRY_WARNING_DAYS) this.options.logger.warn({ ...fields, daysLeft }, message)
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer)
    await this.running
  }
}
