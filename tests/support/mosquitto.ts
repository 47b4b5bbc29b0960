import { type ChildProcess, spawn } from 'node:child_process'
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mosquittoConf } from '@fleet/server'
import { freePort } from './free-port.ts'
import { stopChild } from './stop-child.ts'
import { waitFor } from './wait-for.ts'

export interface MosquittoProcess {
  url: string
  port: number
  start(): Promise<void>
  /** SIGTERM: Mosquitto saves its persistence file on the way out. */
  stop(): Promise<void>
  /** Stops it and removes its directory. */
  dispose(): Promise<void>
  /** SIGHUP: Mosquitto rereads its password and ACL files. */
  reload(): void
}

/** Mosquitto's `password_file` and `acl_file` (readable by the `mosquitto` user): no anonymous clients. */
export interface MosquittoAuth {
  passwordFile: string
  aclFile: string
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * A private Mosquitto (Debian's) on a free port, configured as `fleet-server mosquitto-config`
 * configures production (mosquittoConf: queue sized for every kiosk's outbox, persistence, client id
 * = user name). Without `auth` it is anonymous, so also without `use_username_as_clientid`.
 */
export async function startMosquitto(
  mosquittoPath = 'mosquitto',
  options: { auth?: MosquittoAuth; tls?: { ca: string; cert: string; key: string } } = {},
): Promise<MosquittoProcess> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'mosquitto-'))
  // Mosquitto started as root drops to the `mosquitto` user, which must be able to save its database.
  chmodSync(dir, 0o777)
  const conf = join(dir, 'mosquitto.conf')
  // TLS files copied where the `mosquitto` user can read them (the test key only: production keeps 0640 root:mosquitto).
  const tlsLines: string[] = []
  if (options.tls !== undefined) {
    for (const [name, file] of Object.entries(options.tls)) {
      copyFileSync(file, join(dir, `${name}.pem`))
      chmodSync(join(dir, `${name}.pem`), 0o644)
    }
    tlsLines.push(`cafile ${dir}/ca.pem`, `certfile ${dir}/cert.pem`, `keyfile ${dir}/key.pem`, 'tls_version tlsv1.2')
  }
  const production = mosquittoConf({
    listener: `${port} 127.0.0.1`,
    passwordFile: options.auth?.passwordFile ?? '',
    aclFile: options.auth?.aclFile ?? '',
    persistenceDir: dir,
    kiosks: 100,
  })
    .split('\n')
    .filter(
      (line) => options.auth !== undefined || !/^(allow_anonymous|password_file|acl_file|use_username_as)/.test(line),
    )
    // TLS settings belong to the listener line before them.
    .flatMap((line) => (line.startsWith('listener ') ? [line, ...tlsLines] : [line]))
  writeFileSync(
    conf,
    [...production, ...(options.auth === undefined ? ['allow_anonymous true'] : []), 'log_dest none', ''].join('\n'),
  )
  let child: ChildProcess | undefined
  const kill = () => child?.kill('SIGKILL')
  process.once('exit', kill)
  const broker: MosquittoProcess = {
    port,
    url: `${options.tls === undefined ? 'mqtt' : 'mqtts'}://127.0.0.1:${port}`,
    async start() {
      const proc = spawn(mosquittoPath, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
      let stderr = ''
      proc.stderr?.on('data', (c: Buffer) => {
        stderr += c.toString()
      })
      proc.once('error', (err) => {
        stderr += `cannot run ${mosquittoPath} (apt-get install mosquitto): ${err.message}`
      })
      child = proc
      await waitFor(
        `mosquitto on port ${port}`,
        async () => {
          if (proc.exitCode !== null || stderr.includes('cannot run'))
            throw new Error(stderr || `exited ${proc.exitCode}`)
          return portOpen(port)
        },
        10_000,
      )
    },
    async stop() {
      const proc = child
      child = undefined
      if (proc !== undefined) await stopChild(proc)
    },
    reload() {
      child?.kill('SIGHUP')
    },
    async dispose() {
      await broker.stop()
      process.off('exit', kill)
      rmSync(dir, { recursive: true, force: true })
    },
  }
  await broker.start()
  return broker
}
