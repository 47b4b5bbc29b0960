/**
 * The built bundles (`npm run build`) as production runs them: the fleet-server, the kiosk launcher
 * and agent, kiosk-agent-enrol and fleetctl as plain `node dist/bin/….mjs` child processes, no tsx.
 * The build goes to a fresh directory inside the checkout (.tmp/), so npm imports resolve to this
 * install exactly as they do from dist/.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildAll } from '../../scripts/build/build.ts'
import { freePort } from './free-port.ts'
import { hasExited } from './stop-child.ts'
import { waitFor } from './wait-for.ts'

export const ROOT = join(import.meta.dirname, '../..')

export interface BuiltApps {
  dir: string
  bin(name: string): string
  cleanup(): void
}

export async function buildApps(): Promise<BuiltApps> {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true })
  const dir = mkdtempSync(join(ROOT, '.tmp', 'built-'))
  await buildAll(dir)
  return {
    dir,
    bin: (name) => join(dir, 'bin', `${name}.mjs`),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** The test runner's own KIOSK_* / FLEET_* variables must not leak into the processes. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !/^(KIOSK|FLEET|FLEETCTL)_/.test(e[0]),
    ),
  )
  return { ...env, ...extra }
}

export interface BuiltFleet {
  httpUrl: string
  mqttUrl: string
  process: ChildProcess
  output(): string
  /** Calls the API with the admin's session. */
  api<T = Record<string, unknown>>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>
  /** A fresh API token of `user` (as fleetctl stores one). */
  token(user: string, password: string): Promise<string>
  stop(): Promise<void>
}

export const BUILT_ADMIN_PASSWORD = 'built-admin-password'

/** The built fleet-server on PGlite and its embedded broker, free ports, settings through FLEET_* env. */
export async function startBuiltFleet(apps: BuiltApps, env: Record<string, string> = {}): Promise<BuiltFleet> {
  const dataDir = mkdtempSync(join(tmpdir(), 'built-fleet-'))
  const httpPort = await freePort()
  const mqttPort = await freePort()
  const child = spawn(process.execPath, [apps.bin('fleet-server')], {
    cwd: dataDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv({
      FLEET_HTTP__PORT: String(httpPort),
      FLEET_MQTT__EMBEDDED__PORT: String(mqttPort),
      FLEET_DATABASE__PGLITE_DIR: join(dataDir, 'db'),
      FLEET_AUTH__INITIAL_ADMIN_PASSWORD: BUILT_ADMIN_PASSWORD,
      FLEET_LOG__LEVEL: 'warn',
      ...env,
    }),
  })
  let output = ''
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString('utf8')
  })
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString('utf8')
  })
  const httpUrl = `http://127.0.0.1:${httpPort}`
  await waitFor(
    'the built fleet-server ready',
    async () => {
      if (hasExited(child)) throw new Error(`the built fleet-server exited: ${output}`)
      return (await fetch(`${httpUrl}/readyz`).catch(() => undefined))?.ok === true
    },
    180_000,
    250,
  )
  const login = async (username: string, password: string) => {
    const answer = await fetch(`${httpUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
    const cookie = answer.headers.get('set-cookie')?.split(';')[0]
    if (!answer.ok || cookie === undefined) throw new Error(`login of ${username} failed: ${answer.status}`)
    return cookie
  }
  const adminCookie = await login('admin', BUILT_ADMIN_PASSWORD)
  const call = async <T>(cookie: string, path: string, init?: RequestInit) => {
    const response = await fetch(`${httpUrl}${path}`, {
      ...init,
      headers: {
        ...(init?.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init?.headers as Record<string, string> | undefined),
        cookie,
      },
    })
    const text = await response.text()
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as T }
  }
  return {
    httpUrl,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    process: child,
    output: () => output,
    api: (path, init) => call(adminCookie, path, init),
    async token(user, password) {
      const cookie = user === 'admin' ? adminCookie : await login(user, password)
      const answer = await call<{ token: string }>(cookie, '/api/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: 'test' }),
      })
      return answer.body.token
    },
    async stop() {
      if (!hasExited(child)) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Runs a built bin to completion (fleetctl, kiosk-agent-enrol). */
export function runBuilt(
  apps: BuiltApps,
  name: string,
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [apps.bin(name), ...args], {
    cwd: tmpdir(),
    encoding: 'utf8',
    env: cleanEnv(env),
    timeout: 300_000,
  })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

/** Enrols `kioskId` as a real kiosk does: a token from the admin, traded by the built enrol tool. */
export async function enrolBuiltKiosk(
  apps: BuiltApps,
  fleet: BuiltFleet,
  kioskId: string,
): Promise<{ kioskId: string; mqtt: { url: string; username: string; password: string } }> {
  const created = await fleet.api<{ token: string }>(`/api/kiosks/${kioskId}/enrolment`, {
    method: 'POST',
    body: JSON.stringify({}),
  })
  if (created.status >= 300) throw new Error(`enrolment token: ${created.status} ${JSON.stringify(created.body)}`)
  const out = join(mkdtempSync(join(tmpdir(), 'enrol-')), 'mqtt.json')
  const run = runBuilt(apps, 'kiosk-agent-enrol', [
    '--server',
    fleet.httpUrl,
    '--kiosk-id',
    kioskId,
    '--token',
    created.body.token,
    '--out',
    out,
  ])
  if (run.status !== 0) throw new Error(`kiosk-agent-enrol: ${run.status} ${run.stderr}`)
  return JSON.parse(readFileSync(out, 'utf8')) as {
    kioskId: string
    mqtt: { url: string; username: string; password: string }
  }
}
