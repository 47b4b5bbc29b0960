import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, readFile, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { ArtifactApprovalView, ArtifactKind, ArtifactView } from '@kiosk-fleet/protocol/http'
import { type ApiClient, EXIT, FleetctlError } from './api-client.ts'
import type { Io } from './context.ts'
import { formatBytes, transferProgress } from './progress.ts'
import { forgetUploadState, readUploadState, writeUploadState } from './upload-state.ts'
import { readVendorKey, signVendorRequest } from './vendor-signing.ts'

export type { ArtifactKind } from '@kiosk-fleet/protocol/http'
export type Approval = ArtifactApprovalView
/** An artifact as `GET /api/artifacts/:id` shows it (docs/updates.md). */
export type Artifact = ArtifactView

export interface PushOptions {
  file: string
  kind: ArtifactKind
  version: string
  vendor?: string | undefined
  model?: string | undefined
  /** The department of a catalogue bundle (kind `catalogue`). */
  department?: string | undefined
  machineTypes: string[]
  hwRevisions: string[]
  minAppVersion?: string | undefined
  notes?: string | undefined
  keyFiles: string[]
  chunkSize: number
  /** Attempts per chunk after a broken connection before giving up (the re-run still resumes). */
  retries: number
  json: boolean
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

function offsetHeader(headers: Headers): number | undefined {
  const value = headers.get('upload-offset')
  const n = value === null ? Number.NaN : Number(value)
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined
}

/**
 * `fleetctl artifacts push`: hash locally, create the artifact (or find the one a previous run
 * started), upload the missing bytes in chunks (tus-style offsets, resumed after a cut connection or
 * a re-run), then for a vendor artifact sign the role's metadata locally and send the signatures.
 */
export async function pushArtifact(client: ApiClient, io: Io, o: PushOptions): Promise<Artifact> {
  const info = await stat(o.file).catch((err: Error) => {
    throw new FleetctlError(`cannot read ${o.file}: ${err.message}`, EXIT.usage)
  })
  if (!info.isFile()) throw new FleetctlError(`${o.file} is not a file`, EXIT.usage)
  if (o.kind === 'catalogue' && o.department === undefined) {
    throw new FleetctlError('a catalogue bundle needs its department', EXIT.usage)
  }
  if ((o.kind === 'firmware' || o.kind === 'config') && (o.vendor === undefined || o.model === undefined)) {
    throw new FleetctlError(`a ${o.kind} artifact needs --vendor and --model`, EXIT.usage)
  }
  if (o.kind === 'config') {
    // The server checks the model's schema; a file that is not even JSON is caught before uploading.
    try {
      JSON.parse(await readFile(o.file, 'utf8'))
    } catch (err) {
      throw new FleetctlError(`${o.file} is not JSON: ${(err as Error).message}`, EXIT.usage)
    }
  }
  // Keys are read before anything is uploaded: a typo in a key path loses nothing.
  const keys = o.keyFiles.map(readVendorKey)
  const length = info.size
  const sha256 = await sha256OfFile(o.file)
  const say = (text: string) => {
    if (!o.json) io.err(text)
  }

  let artifact: Artifact | undefined
  let uploadId: string | undefined
  let offset = 0
  const saved = readUploadState(io.env, client.server, sha256)
  if (saved !== undefined) {
    const found = await client.raw('GET', `/api/artifacts/${encodeURIComponent(saved.artifactId)}`)
    if (found.status === 200) {
      artifact = JSON.parse(found.text) as Artifact
      uploadId = saved.uploadId
      if (artifact.status === 'uploading') {
        const head = await client.raw('HEAD', `/api/uploads/${encodeURIComponent(uploadId)}`)
        if (head.status >= 400) {
          forgetUploadState(io.env, client.server, sha256)
          throw new FleetctlError(
            `the upload of ${artifact.id} can no longer be resumed (HTTP ${head.status}); revoke it (fleetctl artifacts revoke ${artifact.id}) or push as a new version`,
            EXIT.failed,
          )
        }
        offset = offsetHeader(head.headers) ?? 0
        say(`resuming upload of ${artifact.id} at ${formatBytes(offset)} of ${formatBytes(length)}`)
      }
    } else if (found.status === 404) {
      forgetUploadState(io.env, client.server, sha256)
    } else {
      throw client.failure(found)
    }
  }

  if (artifact === undefined) {
    const body = {
      kind: o.kind,
      version: o.version,
      ...(o.vendor === undefined ? {} : { vendor: o.vendor }),
      ...(o.model === undefined ? {} : { deviceModel: o.model }),
      ...(o.department === undefined ? {} : { department: o.department }),
      fileName: basename(o.file),
      length,
      sha256,
      compatibility: {
        machineTypes: o.machineTypes,
        hwRevisions: o.hwRevisions,
        ...(o.minAppVersion === undefined ? {} : { minAppVersion: o.minAppVersion }),
      },
      ...(o.notes === undefined ? {} : { notes: o.notes }),
    }
    try {
      const created = await client.post<{ artifact: Artifact; upload: { id: string; offset: number } }>(
        '/api/artifacts',
        body,
      )
      artifact = created.artifact
      uploadId = created.upload.id
      offset = created.upload.offset
      say(`created ${artifact.id} (${artifact.targetPath})`)
    } catch (err) {
      // This version exists: when it is this very file (same hash), carry on with it (a re-run whose
      // state file was lost, or a push from another machine of the same vendor).
      if (!(err instanceof FleetctlError) || err.http?.status !== 409) throw err
      const same = await findSameArtifact(client, o, sha256)
      if (same === undefined) throw err
      artifact = same
      uploadId = same.upload?.id
      offset = same.upload?.offset ?? 0
      if (same.status === 'uploading' && uploadId === undefined) throw err
      say(
        `${same.id} already holds this file (${same.status})${uploadId ? `; resuming at ${formatBytes(offset)}` : ''}`,
      )
    }
    if (uploadId !== undefined) {
      writeUploadState(io.env, { server: client.server, artifactId: artifact.id, uploadId, sha256, length })
    }
  }

  if (artifact.status === 'uploading' && uploadId !== undefined) {
    await uploadBytes(client, io, o, uploadId, offset, length)
    artifact = await client.get<Artifact>(`/api/artifacts/${encodeURIComponent(artifact.id)}`)
  }

  if (artifact.status === 'signing') {
    if (keys.length === 0) {
      throw new FleetctlError(
        `${artifact.id} is uploaded and waits for ${artifact.department ?? artifact.vendor}'s signatures: run the same command again with --key key.json`,
        EXIT.failed,
      )
    }
    const request = await client.get<{ role: string; metadata: unknown }>(
      `/api/artifacts/${encodeURIComponent(artifact.id)}/signing-request`,
    )
    const signatures = signVendorRequest(request.metadata, keys, { path: artifact.targetPath, sha256, length })
    say(`signing ${request.role} with ${keys.length} key(s) (${keys.map((k) => k.keyid.slice(0, 8)).join(', ')})`)
    const signed = await client.post<Artifact | { artifact: Artifact }>(
      `/api/artifacts/${encodeURIComponent(artifact.id)}/signatures`,
      { signatures },
    )
    artifact = 'artifact' in signed ? signed.artifact : signed
  }

  if (artifact.status === 'rejected') {
    forgetUploadState(io.env, client.server, sha256)
    throw new FleetctlError(`${artifact.id} was rejected: ${artifact.statusReason ?? 'no reason given'}`, EXIT.failed)
  }
  if (artifact.status === 'ready' || artifact.status === 'revoked') forgetUploadState(io.env, client.server, sha256)
  return artifact
}

async function findSameArtifact(
  client: ApiClient,
  o: PushOptions,
  sha256: string,
): Promise<(Artifact & { upload?: { id: string; offset: number } | null }) | undefined> {
  const { artifacts } = await client.get<{ artifacts: Artifact[] }>(`/api/artifacts?kind=${o.kind}&limit=1000`)
  const match = artifacts.find(
    (a) =>
      a.version === o.version &&
      (a.vendor ?? undefined) === o.vendor &&
      (a.deviceModel ?? undefined) === o.model &&
      (a.department ?? undefined) === o.department &&
      a.sha256?.toLowerCase() === sha256 &&
      a.status !== 'rejected' &&
      a.status !== 'revoked',
  )
  if (match === undefined) return undefined
  return client.get(`/api/artifacts/${encodeURIComponent(match.id)}`)
}

async function uploadBytes(
  client: ApiClient,
  io: Io,
  o: PushOptions,
  uploadId: string,
  startOffset: number,
  length: number,
): Promise<void> {
  const progress = transferProgress(io, basename(o.file), length, o.json)
  const path = `/api/uploads/${encodeURIComponent(uploadId)}`
  const abort = new AbortController()
  let interrupted = false
  const removeInterrupt = io.onInterrupt?.(() => {
    interrupted = true
    abort.abort()
  })
  const handle = await open(o.file, 'r')
  let offset = startOffset
  let failures = 0
  try {
    progress.update(offset)
    while (!interrupted && (offset < length || (length === 0 && offset === 0 && failures === 0))) {
      const size = Math.min(o.chunkSize, length - offset)
      const chunk = Buffer.alloc(size)
      const { bytesRead } = await handle.read(chunk, 0, size, offset)
      let response: Awaited<ReturnType<ApiClient['raw']>>
      try {
        response = await client.raw('PATCH', path, {
          headers: {
            'content-type': 'application/offset+octet-stream',
            'upload-offset': String(offset),
            'tus-resumable': '1.0.0',
          },
          body: chunk.subarray(0, bytesRead),
          signal: abort.signal,
        })
      } catch (err) {
        if (interrupted) break
        if (!(err instanceof FleetctlError) || err.exitCode !== EXIT.unreachable || failures >= o.retries) throw err
        failures++
        progress.note(`connection lost at ${formatBytes(offset)} (${err.message}); retry ${failures} of ${o.retries}`)
        await sleep(Math.min(8000, 250 * 2 ** failures))
        // The chunk may have landed before the connection broke: ask the server where it is.
        const head = await client.raw('HEAD', path).catch(() => undefined)
        const serverOffset = head && head.status < 300 ? offsetHeader(head.headers) : undefined
        if (serverOffset !== undefined) {
          offset = serverOffset
          progress.note(`resuming at ${formatBytes(offset)}`)
        }
        continue
      }
      if (response.status === 409) {
        // Someone (an earlier run) got further: continue from the server's offset.
        const serverOffset =
          offsetHeader(response.headers) ?? (JSON.parse(response.text || '{}') as { offset?: number }).offset
        if (serverOffset === undefined) throw client.failure(response)
        progress.note(`server is at ${formatBytes(serverOffset)}; continuing from there`)
        offset = serverOffset
        continue
      }
      if (response.status >= 300) throw client.failure(response)
      failures = 0
      offset = offsetHeader(response.headers) ?? offset + bytesRead
      progress.update(offset)
      if (length === 0) break
    }
    if (interrupted) {
      progress.note(
        `interrupted at ${formatBytes(offset)} of ${formatBytes(length)}; run the same command again to resume`,
      )
      throw new FleetctlError('', EXIT.interrupted)
    }
    progress.finish()
  } finally {
    removeInterrupt?.()
    await handle.close()
  }
}
