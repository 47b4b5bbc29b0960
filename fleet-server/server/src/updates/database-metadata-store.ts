import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { dirname, join, normalize, sep } from 'node:path'
import type { Database, Queryable } from '../db/database.ts'
import type { TufMetadataStore } from './metadata-store.ts'

/** Arbitrary constant: the advisory lock every replica takes before changing the repository. */
export const TUF_REPOSITORY_LOCK = 746_1008

const SAFE_METADATA_NAME = /^[a-z0-9][a-z0-9.-]*\.json$/

function checkMetadataName(fileName: string): void {
  if (!SAFE_METADATA_NAME.test(fileName) || fileName.includes('..')) {
    throw new Error(`unsafe metadata file name: ${fileName}`)
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT'
}

/** Writes to a temporary file, fsyncs it, renames it into place and fsyncs the directory. */
export async function writeFileDurably(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  const handle = await open(tmp, 'wx', 0o644)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(tmp, path)
  const dir = await open(dirname(path), 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}

/**
 * Target blobs on disk under `<dir>/targets/<hash-prefixed path>`: content-addressed (the TUF
 * consistent-snapshot name holds the sha256), written atomically, never changed once written.
 */
export class TargetBlobDirectory {
  readonly targetsDir: string

  constructor(dir: string) {
    this.targetsDir = normalize(join(dir, 'targets'))
  }

  /** The absolute file of a target path, refusing anything that would leave the directory. */
  fileOf(path: string): string {
    const parts = path.split('/')
    if (parts.some((p) => p === '' || p === '.' || p === '..') || path.includes('\\') || path.includes('\0')) {
      throw new Error(`unsafe target path: ${path}`)
    }
    const file = normalize(join(this.targetsDir, ...parts))
    if (!file.startsWith(this.targetsDir + sep)) throw new Error(`unsafe target path: ${path}`)
    return file
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.fileOf(path))
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  async write(path: string, bytes: Uint8Array): Promise<void> {
    await writeFileDurably(this.fileOf(path), bytes)
  }
}

class DatabaseView implements TufMetadataStore {
  constructor(
    private readonly db: Queryable,
    private readonly blobs: TargetBlobDirectory,
  ) {}

  async readMetadata(fileName: string): Promise<string | undefined> {
    checkMetadataName(fileName)
    const [row] = await this.db.query<{ body: string }>('SELECT body FROM tuf_metadata WHERE name = $1', [fileName])
    return row?.body
  }

  async writeMetadata(fileName: string, json: string): Promise<void> {
    checkMetadataName(fileName)
    await this.db.query(
      `INSERT INTO tuf_metadata (name, body) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET body = EXCLUDED.body, updated_at = now()`,
      [fileName, json],
    )
  }

  readTarget(path: string): Promise<Uint8Array | undefined> {
    return this.blobs.read(path)
  }

  writeTarget(path: string, bytes: Uint8Array): Promise<void> {
    return this.blobs.write(path, bytes)
  }
}

/**
 * Metadata in the `tuf_metadata` table (every replica serves the same signed bytes), target blobs in
 * a directory (shared storage when there are several replicas). `exclusive` runs a repository change
 * in one transaction holding an advisory lock, so replicas never publish over each other and a crash
 * leaves the previous consistent set (blobs written before the metadata naming them).
 */
export class DatabaseMetadataStore implements TufMetadataStore {
  readonly blobs: TargetBlobDirectory
  private readonly view: DatabaseView

  constructor(
    private readonly db: Database,
    dir: string,
  ) {
    this.blobs = new TargetBlobDirectory(dir)
    this.view = new DatabaseView(db, this.blobs)
  }

  readMetadata(fileName: string): Promise<string | undefined> {
    return this.view.readMetadata(fileName)
  }

  writeMetadata(fileName: string, json: string): Promise<void> {
    return this.view.writeMetadata(fileName, json)
  }

  readTarget(path: string): Promise<Uint8Array | undefined> {
    return this.blobs.read(path)
  }

  writeTarget(path: string, bytes: Uint8Array): Promise<void> {
    return this.blobs.write(path, bytes)
  }

  exclusive<T>(work: (view: TufMetadataStore) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [TUF_REPOSITORY_LOCK])
      return work(new DatabaseView(tx, this.blobs))
    })
  }
}
