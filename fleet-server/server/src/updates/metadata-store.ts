import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join, normalize, sep } from 'node:path'

/**
 * Where the repository keeps its published files: metadata by file name (`timestamp.json`,
 * `3.snapshot.json`, `2.vendor-acme.json`) and target blobs by their hash-prefixed path.
 * The server reads its own state back from here, so a restart loses nothing.
 */
export interface TufMetadataStore {
  readMetadata(fileName: string): Promise<string | undefined>
  writeMetadata(fileName: string, json: string): Promise<void>
  readTarget(path: string): Promise<Uint8Array | undefined>
  writeTarget(path: string, bytes: Uint8Array): Promise<void>
  /**
   * Runs `work` alone across every process sharing the store (e.g. under a database lock, in one
   * transaction), with a view of the store whose writes commit together. Absent: in-process only.
   */
  exclusive?<T>(work: (view: TufMetadataStore) => Promise<T>): Promise<T>
}

const SAFE_METADATA_NAME = /^[a-z0-9][a-z0-9.-]*\.json$/

function checkMetadataName(fileName: string): void {
  if (!SAFE_METADATA_NAME.test(fileName) || fileName.includes('..')) {
    throw new Error(`unsafe metadata file name: ${fileName}`)
  }
}

function checkTargetPath(path: string): void {
  const parts = path.split('/')
  if (parts.some((p) => p === '' || p === '.' || p === '..') || path.includes('\\')) {
    throw new Error(`unsafe target path: ${path}`)
  }
}

export class MemoryMetadataStore implements TufMetadataStore {
  readonly metadata = new Map<string, string>()
  readonly targets = new Map<string, Uint8Array>()

  async readMetadata(fileName: string): Promise<string | undefined> {
    return this.metadata.get(fileName)
  }

  async writeMetadata(fileName: string, json: string): Promise<void> {
    checkMetadataName(fileName)
    this.metadata.set(fileName, json)
  }

  async readTarget(path: string): Promise<Uint8Array | undefined> {
    return this.targets.get(path)
  }

  async writeTarget(path: string, bytes: Uint8Array): Promise<void> {
    checkTargetPath(path)
    this.targets.set(path, Uint8Array.from(bytes))
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT'
}

async function readOrUndefined(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path)
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

async function writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, data)
  await rename(tmp, path)
}

/** `<root>/metadata/<file>` and `<root>/targets/<path>`: a directory a static HTTP server can serve. */
export class DirectoryMetadataStore implements TufMetadataStore {
  readonly metadataDir: string
  readonly targetsDir: string

  constructor(root: string) {
    this.metadataDir = join(root, 'metadata')
    this.targetsDir = join(root, 'targets')
  }

  async readMetadata(fileName: string): Promise<string | undefined> {
    checkMetadataName(fileName)
    const data = await readOrUndefined(join(this.metadataDir, fileName))
    return data?.toString('utf8')
  }

  async writeMetadata(fileName: string, json: string): Promise<void> {
    checkMetadataName(fileName)
    await writeAtomically(join(this.metadataDir, fileName), json)
  }

  async readTarget(path: string): Promise<Uint8Array | undefined> {
    return readOrUndefined(this.targetFile(path))
  }

  async writeTarget(path: string, bytes: Uint8Array): Promise<void> {
    await writeAtomically(this.targetFile(path), bytes)
  }

  private targetFile(path: string): string {
    checkTargetPath(path)
    const file = normalize(join(this.targetsDir, ...path.split('/')))
    if (!file.startsWith(this.targetsDir + sep)) throw new Error(`unsafe target path: ${path}`)
    return file
  }
}
