import { type ChildProcess, spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmbeddedBroker } from '@fleet/server'
import pino from 'pino'
import { inject } from 'vitest'
import { freePort } from './free-port.ts'
import { waitFor } from './wait-for.ts'

export type BrokerKind = 'aedes' | 'mosquitto'
export const BROKER_KINDS: BrokerKind[] = ['aedes', 'mosquitto']

export interface TestBroker {
  kind: BrokerKind
  url: string
  port: number
  /** Stops the broker (Mosquitto saves its persistence file on the way out). */
  stop(): Promise<void>
  /** Starts it again on the same port. */
  start(): Promise<void>
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

/** An in-process Aedes broker on a free port. */
async function aedesBroker(): Promise<TestBroker> {
  const port = await freePort()
  let running: Awaited<ReturnType<typeof startEmbeddedBroker>> | undefined
  const broker: TestBroker = {
    kind: 'aedes',
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async start() {
      running = await startEmbeddedBroker({ host: '127.0.0.1', port, logger: pino({ level: 'silent' }) })
    },
    async stop() {
      await running?.close()
      running = undefined
    },
  }
  await broker.start()
  return broker
}

/**
 * A private Mosquitto (Debian's) on a free port, with persistence on as production runs it: the
 * fleet-server's persistent session and its queued QoS 1 messages survive a broker restart.
 */
async function mosquittoBroker(): Promise<TestBroker> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'mosquitto-'))
  // Mosquitto started as root drops to the `mosquitto` user, which must be able to save its database.
  chmodSync(dir, 0o777)
  const conf = join(dir, 'mosquitto.conf')
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${dir}/`,
      'max_queued_messages 100000',
      'log_dest none',
    ].join('\n'),
  )
  let child: ChildProcess | undefined
  const broker: TestBroker = {
    kind: 'mosquitto',
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async start() {
      const proc = spawn(inject('mosquittoPath'), ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
      let stderr = ''
      proc.stderr?.on('data', (c: Buffer) => {
        stderr += c.toString()
      })
      proc.once('error', (err) => {
        stderr += `spawn failed (apt-get install mosquitto): ${err.message}`
      })
      child = proc
      await waitFor(`mosquitto on ${port} ${stderr}`, () => proc.exitCode === null && portOpen(port), 10_000)
    },
    async stop() {
      const proc = child
      child = undefined
      if (proc === undefined || proc.exitCode !== null) return
      const exited = new Promise((r) => proc.once('exit', r))
      proc.kill('SIGTERM')
      await exited
    },
  }
  await broker.start()
  const stop = broker.stop
  broker.stop = async () => {
    await stop()
  }
  process.once('exit', () => {
    child?.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })
  return broker
}

export function startTestBroker(kind: BrokerKind): Promise<TestBroker> {
  return kind === 'aedes' ? aedesBroker() : mosquittoBroker()
}
