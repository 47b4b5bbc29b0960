/**
 * A real TUF update repository for kiosk update tests: the fleet's TufRepository signing into a
 * DirectoryMetadataStore, served over node:http (or node:https with `tls`) the way the fleet serves it
 * (`/updates/metadata/<name>.json`, `/updates/targets/<path>` with `Range`). Faults are real too:
 * the server can close the socket after N bytes of a target, or ignore `Range`.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer, type RequestListener, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join, normalize, sep } from 'node:path'
import {
  createSigner,
  DirectoryMetadataStore,
  generateTufKeyPair,
  hashPrefixedTargetPath,
  publicKeyOf,
  type TufKeyPairJson,
  TufRepository,
} from '../../fleet-server/server/src/updates/index.ts'
import { testKeys } from '../../fleet-server/server/src/updates/test-fixture.ts'

export interface UpdateRepo {
  /** Fleet HTTP base: the kiosk's `updates.fleetUrl`. */
  fleetUrl: string
  /** The root.json a kiosk image ships (write it to `updates.trustedRootFile`). */
  rootJson: string
  /** Writes root.json into `dir` and returns its path. */
  writeRoot(dir: string): string
  repo: TufRepository
  /** Signs an app release into the top-level targets role; returns its target path. */
  addApp(version: string, tarball: Uint8Array): Promise<string>
  /** Signs a firmware/config file into `vendor`'s delegated role; returns its target path. */
  addVendorFile(
    kind: 'firmware' | 'config',
    vendor: string,
    model: string,
    file: string,
    bytes: Uint8Array,
    version: string,
  ): Promise<string>
  /** Overwrites the served bytes of `path` (same name, as an attacker with the file server would). */
  tamper(path: string, bytes: Uint8Array): void
  /** The next target response is cut (socket destroyed) after `bytes` bytes of body. */
  cutNextTargetAfter(bytes: number): void
  /** Answer every target request with 200 and the whole file, ignoring `Range`. */
  ignoreRange(on: boolean): void
  /** Requests the server saw for targets: their `Range` header (undefined without). */
  readonly targetRequests: Array<{ path: string; range: string | undefined; status: number }>
  stop(): Promise<void>
}

export interface UpdateRepoOptions {
  /** Serve HTTPS with this certificate and key (PEM paths), e.g. the run's test PKI. */
  tls?: { cert: string; key: string }
}

export async function startUpdateRepo(now = Date.now(), options: UpdateRepoOptions = {}): Promise<UpdateRepo> {
  const dir = mkdtempSync(join(tmpdir(), 'update-repo-'))
  const keys = testKeys(now)
  const store = new DirectoryMetadataStore(dir)
  const repo = await TufRepository.initialize(store, keys.rootJson, keys.signers, now)
  const vendors = new Map<string, TufKeyPairJson>()
  const hashes = new Map<string, string>()
  let cutAfter: number | undefined
  let noRange = false
  const targetRequests: UpdateRepo['targetRequests'] = []
  const sockets = new Set<Socket>()

  const handle: RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const path = decodeURIComponent(url.pathname)
    const match = /^\/updates\/(metadata|targets)\/(.+)$/.exec(path)
    const file = match ? normalize(join(dir, match[1] ?? '', match[2] ?? '')) : undefined
    if (file === undefined || !file.startsWith(dir + sep)) {
      res.writeHead(404).end()
      return
    }
    readFile(file).then(
      (data) => {
        if (match?.[1] === 'metadata') {
          res.writeHead(200, { 'content-length': data.byteLength, 'content-type': 'application/json' }).end(data)
          return
        }
        const range = req.headers.range
        const parsed = /^bytes=(\d+)-$/.exec(range ?? '')
        let body = data
        let status = 200
        const headers: Record<string, string | number> = { 'accept-ranges': 'bytes' }
        if (parsed && !noRange) {
          const start = Number(parsed[1])
          if (start >= data.byteLength) {
            targetRequests.push({ path, range, status: 416 })
            res.writeHead(416, { 'content-range': `bytes */${data.byteLength}` }).end()
            return
          }
          body = data.subarray(start)
          status = 206
          headers['content-range'] = `bytes ${start}-${data.byteLength - 1}/${data.byteLength}`
        }
        headers['content-length'] = body.byteLength
        targetRequests.push({ path, range, status })
        res.writeHead(status, headers)
        if (cutAfter !== undefined) {
          const n = cutAfter
          cutAfter = undefined
          // Destroyed a moment after the bytes were flushed, so the client has them: a connection lost mid-file.
          res.write(body.subarray(0, n), () => setTimeout(() => res.socket?.destroy(), 100))
          return
        }
        res.end(body)
      },
      () => res.writeHead(404).end(),
    )
  }
  const { tls } = options
  const server: Server =
    tls === undefined
      ? createServer(handle)
      : createHttpsServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, handle)
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0

  const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
  return {
    fleetUrl: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    rootJson: keys.rootJson,
    writeRoot(into) {
      const file = join(into, 'root.json')
      writeFileSync(file, keys.rootJson)
      return file
    },
    repo,
    targetRequests,
    async addApp(version, tarball) {
      const path = `app/${version}/kiosk-app-${version}.tar.gz`
      await repo.addTarget(path, tarball, Date.now(), { kind: 'app', version })
      hashes.set(path, sha(tarball))
      return path
    },
    async addVendorFile(kind, vendor, model, file, bytes, version) {
      let key = vendors.get(vendor)
      if (key === undefined) {
        key = generateTufKeyPair()
        vendors.set(vendor, key)
        await repo.addVendor(vendor, [publicKeyOf(key)], 1, Date.now())
      }
      const path = `${kind}/${vendor}/${model}/${file}`
      await repo.addVendorTarget(vendor, path, bytes, [createSigner(key)], Date.now(), {
        kind,
        version,
        vendor,
        deviceModel: model,
      })
      hashes.set(path, sha(bytes))
      return path
    },
    tamper(path, bytes) {
      const hash = hashes.get(path)
      if (hash === undefined) throw new Error(`no target ${path} in this repo`)
      writeFileSync(join(dir, 'targets', hashPrefixedTargetPath(path, hash)), bytes)
    },
    cutNextTargetAfter(bytes) {
      cutAfter = bytes
    },
    ignoreRange(on) {
      noRange = on
    },
    async stop() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
