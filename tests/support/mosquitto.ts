import { type ChildProcess, spawn } from 'node:child_process'
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
 * A private Mosquitto (Debian's) on a free port, with persistence on as production runs it: the
 * fleet-server's persistent session and its queued QoS 1 messages survive a broker restart.
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
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      ...tlsLines,
      ...(options.auth === undefined
        ? ['allow_anonymous true']
        : ['allow_anonymous false', `password_file ${options.auth.passwordFile}`, `acl_file ${options.auth.aclFile}`]),
      'persistence true',
      `persistence_location ${dir}/`,
      'max_queued_messages 1000000',
      'max_inflight_messages 1000',
      'log_dest none',
    ].join('\n'),
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
