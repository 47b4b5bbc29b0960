/**
 * A NATS cluster (or, with size 1, one server) with JetStream and the MQTT listener on loopback (Debian's `nats-server`): three
 * nodes on free ports, routes between them, MQTT state replicated on all three (`stream_replicas`).
 * Kiosks speak MQTT 3.1.1 to any node; the fleet pulls from JetStream.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { freePort } from './free-port.ts'
import { stopChild } from './stop-child.ts'
import { waitFor } from './wait-for.ts'

export interface NatsNode {
  name: string
  natsUrl: string
  mqttUrl: string
  start(): Promise<void>
  kill(): Promise<void>
}

export interface NatsCluster {
  nodes: NatsNode[]
  dispose(): Promise<void>
}

function natsServerPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v nats-server || ls /usr/sbin/nats-server'], { encoding: 'utf8' }).trim()
  } catch {
    throw new Error('nats-server not found: apt-get install nats-server (scripts/ensure-system.sh installs it)')
  }
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })

export interface NatsClusterOptions {
  /** A config file every node includes, e.g. the `nats-auth.conf` of `fleet-server nats-config`. */
  include?: string
}

export async function startNatsCluster(size = 3, options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const binary = natsServerPath()
  const dir = mkdtempSync(join(tmpdir(), 'nats-cluster-'))
  const ports = await Promise.all(
    Array.from({ length: size }, async () => ({
      client: await freePort(),
      route: await freePort(),
      mqtt: await freePort(),
    })),
  )
  const children = new Map<string, ChildProcess>()
  const nodes: NatsNode[] = ports.map((p, i) => {
    const name = `n${i + 1}`
    const conf = join(dir, `${name}.conf`)
    writeFileSync(
      conf,
      [
        `server_name: ${name}`,
        `listen: 127.0.0.1:${p.client}`,
        `jetstream { store_dir: "${join(dir, name)}" }`,
        // One node is a standalone server: JetStream refuses a cluster block without routes.
        ...(size === 1
          ? []
          : [
              `cluster { name: fleet, listen: 127.0.0.1:${p.route}, routes: [${ports
                .filter((_, j) => j !== i)
                .map((q) => `nats://127.0.0.1:${q.route}`)
                .join(', ')}] }`,
            ]),
        `mqtt { listen: 127.0.0.1:${p.mqtt}, stream_replicas: ${Math.min(size, 3)}, max_ack_pending: 1000 }`,
        // nats-server 2.9 resolves an include against the config file's folder, even an absolute path.
        ...(options.include === undefined ? [] : [`include ${JSON.stringify(relative(dir, options.include))}`]),
        '',
      ].join('\n'),
    )
    return {
      name,
      natsUrl: `nats://127.0.0.1:${p.client}`,
      mqttUrl: `mqtt://127.0.0.1:${p.mqtt}`,
      async start() {
        const child = spawn(binary, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
        let stderr = ''
        child.stderr?.on('data', (c: Buffer) => {
          stderr += c.toString()
        })
        children.set(name, child)
        await waitFor(
          `nats ${name} listening`,
          async () => {
            if (child.exitCode !== null) throw new Error(stderr || `exited ${child.exitCode}`)
            return (await portOpen(p.client)) && (await portOpen(p.mqtt))
          },
          30_000,
        )
      },
      async kill() {
        const child = children.get(name)
        children.delete(name)
        if (child !== undefined) await stopChild(child, 'SIGKILL')
      },
    }
  })
  const kill = () => {
    for (const c of children.values()) c.kill('SIGKILL')
  }
  process.once('exit', kill)
  await Promise.all(nodes.map((n) => n.start()))
  return {
    nodes,
    async dispose() {
      for (const n of nodes) await n.kill()
      process.off('exit', kill)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
