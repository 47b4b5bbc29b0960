import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { AppError } from '@drivers/core'
import { writeFileAtomic } from '../fs/atomic-write.ts'
import { UpdateErrorCodes } from './update-errors.ts'
import { UPDATE_TRANSITIONS, type UpdateState } from './update-transitions.ts'

export interface UpdateArtifact {
  /** Release version; becomes the directory name under `releases/`. */
  version: string
  /** TUF target path of the artifact. */
  target: string
  /** What the artifact changes; absent in records written before kinds existed (= app). */
  kind?: 'app' | 'firmware' | 'config' | 'catalogue'
  /** firmware/config: the device model the notification named, and the peripheral chosen for it. */
  device?: { vendor: string; model: string }
  deviceId?: string
  /** When to install (the notification's `install`): kept so a resumed deployment waits the same way. */
  install?: { mode: 'window' | 'immediate'; schedule?: unknown }
  /** Epoch ms; not installed by then → failed with ERR_KIOSK_UPDATE_DEADLINE. */
  deadline?: number
}

export const UPDATE_STATE_SCHEMA_VERSION = 1

/** What survives a power loss: written atomically before every transition. */
export interface UpdateRecord {
  schemaVersion: typeof UPDATE_STATE_SCHEMA_VERSION
  deploymentId: string
  artifact: UpdateArtifact
  state: UpdateState
  /** How many times in a row this state has been entered (fresh entry = 1, each resume adds 1). */
  loopCount: number
  /** The release that was current when the deployment began; the rollback target. */
  previousVersion: string | null
  /** Where the downloaded artifact was staged. */
  stagedPath: string | null
  errorCode: string | null
  /** Whether a terminal state's report went out; a boot that finds it false publishes it again. */
  reported: boolean
  updatedAt: number
}

export interface UpdateStateStore {
  load(): UpdateRecord | undefined
  save(record: UpdateRecord): Promise<void>
}

/** One JSON file replaced with writeFileAtomic: after a power loss it holds the old or the new record. */
export class FileUpdateStateStore implements UpdateStateStore {
  readonly #path: string

  constructor(path: string) {
    this.#path = path
    mkdirSync(dirname(path), { recursive: true })
  }

  load(): UpdateRecord | undefined {
    if (!existsSync(this.#path)) return undefined
    const text = readFileSync(this.#path, 'utf8')
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      throw new AppError(UpdateErrorCodes.stateCorrupt, `update state ${this.#path} is not JSON`, { cause: err })
    }
    if (!isUpdateRecord(value)) {
      throw new AppError(UpdateErrorCodes.stateCorrupt, `update state ${this.#path} has an unknown shape or schema`)
    }
    return value
  }

  async save(record: UpdateRecord): Promise<void> {
    writeFileAtomic(this.#path, `${JSON.stringify(record)}\n`)
  }
}

function isUpdateRecord(value: unknown): value is UpdateRecord {
  if (typeof value !== 'object' || value === null) return false
  const r = value as Record<string, unknown>
  const artifact = r.artifact as Record<string, unknown> | null | undefined
  return (
    r.schemaVersion === UPDATE_STATE_SCHEMA_VERSION &&
    typeof r.deploymentId === 'string' &&
    typeof artifact === 'object' &&
    artifact !== null &&
    typeof artifact.version === 'string' &&
    typeof artifact.target === 'string' &&
    typeof r.state === 'string' &&
    Object.hasOwn(UPDATE_TRANSITIONS, r.state) &&
    typeof r.loopCount === 'number' &&
    (r.previousVersion === null || typeof r.previousVersion === 'string') &&
    (r.stagedPath === null || typeof r.stagedPath === 'string') &&
    (r.errorCode === null || typeof r.errorCode === 'string') &&
    typeof r.reported === 'boolean' &&
    typeof r.updatedAt === 'number'
  )
}
