import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { credentialsPath } from './credentials.ts'

/** What a re-run needs to resume a push: which artifact and upload session the file went to. */
export interface UploadState {
  server: string
  artifactId: string
  uploadId: string
  sha256: string
  length: number
}

/** `$FLEETCTL_STATE_DIR`, or `uploads/` beside the login file (one file per server and sha256). */
export function uploadStateDir(env: NodeJS.ProcessEnv): string {
  return env.FLEETCTL_STATE_DIR ?? join(dirname(credentialsPath(env)), 'uploads')
}

function stateFile(env: NodeJS.ProcessEnv, server: string, sha256: string): string {
  const serverKey = createHash('sha256').update(server).digest('hex').slice(0, 12)
  return join(uploadStateDir(env), `${serverKey}-${sha256}.json`)
}

export function readUploadState(env: NodeJS.ProcessEnv, server: string, sha256: string): UploadState | undefined {
  const path = stateFile(env, server, sha256)
  if (!existsSync(path)) return undefined
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<UploadState>
    if (typeof value.artifactId === 'string' && typeof value.uploadId === 'string') return value as UploadState
  } catch {
    // A torn or edited file: start a fresh push (the server refuses a duplicate version clearly).
  }
  return undefined
}

export function writeUploadState(env: NodeJS.ProcessEnv, state: UploadState): void {
  const path = stateFile(env, state.server, state.sha256)
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
}

export function forgetUploadState(env: NodeJS.ProcessEnv, server: string, sha256: string): void {
  rmSync(stateFile(env, server, sha256), { force: true })
}
