/**
 * Updatable kiosks for tests: an in-process supervisor that stops and re-creates the kiosk agent
 * when it asks to be restarted (as systemd's `Restart=on-failure` does with exit status 75), and
 * release tarballs as CI builds them.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createKioskAgent, effectiveAppVersion, type KioskAgent } from '@kiosk/agent'
import type { Logger } from 'pino'
import { create } from 'tar'
import { quietLogger, testAgentConfig } from './fleet.ts'
import { waitFor } from './wait-for.ts'

/**
 * A release tarball as CI builds it: release.json plus the app's files, gzipped. With `agentSource`
 * the release carries its own agent entry (`agent.mjs`, named as `main`), which the launcher runs.
 */
export async function releaseTarball(
  version: string,
  assetBytes = 256 * 1024,
  agentSource?: string,
): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'release-src-'))
  try {
    const files = ['release.json', 'main.js', 'assets.bin']
    writeFileSync(
      join(dir, 'release.json'),
      JSON.stringify(agentSource === undefined ? { version } : { version, main: 'agent.mjs' }),
    )
    writeFileSync(join(dir, 'main.js'), `console.log('kiosk app ${version}')\n`)
    if (agentSource !== undefined) {
      writeFileSync(join(dir, 'agent.mjs'), agentSource)
      files.push('agent.mjs')
    }
    // Incompressible assets, so the tarball is big enough to be cut mid-way.
    writeFileSync(join(dir, 'assets.bin'), randomBytes(assetBytes))
    const file = join(dir, '..', `${dir.split('/').pop()}.tgz`)
    await create({ gzip: true, file, cwd: dir, portable: true }, files)
    const bytes = new Uint8Array(readFileSync(file))
    rmSync(file)
    return bytes
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * `peripheralsFor` of a release whose receipt printer driver cannot open the printer (the device
 * never answers): the kiosk starts but fails its health check, as a bad release does.
 */
export function deadPrinterIn(badVersion: string): (version: string) => unknown[] | undefined {
  return (version) =>
    version === badVersion
      ? [
          {
            deviceId: 'receipt',
            emulated: {
              deviceClass: 'receiptPrinter',
              vendor: 'Epson',
              model: 'TM-T88VI',
              initialStatus: { state: 'noDevice' },
            },
            serial: '',
            firmware: '',
          },
        ]
      : undefined
}

export interface Supervised {
  readonly kioskId: string
  readonly agent: KioskAgent
  /** Restarts done: counted once the new agent has started. */
  readonly restarts: number
  readonly dataDir: string
  stop(): Promise<void>
}

export interface UpdatableKioskOptions {
  mqttUrl: string
  /** The fleet's HTTP base (`updates.fleetUrl`): TUF metadata and targets under `/updates/`. */
  fleetUrl: string
  /** The root.json the kiosk image ships with. */
  rootJson: string
  /** Settings of the `updates` section over the quick test defaults. */
  updates?: Record<string, unknown>
  /** Agent settings over `testAgentConfig`'s (department, site, machineType, …). */
  config?: Record<string, unknown>
  ui?: boolean
  peripherals?: unknown[]
  /** Lets a test give a release a broken device, as a bad release would (undefined: the usual ones). */
  peripheralsFor?: (version: string) => unknown[] | undefined
  /** Resolves true once the fleet sees the kiosk online; waited for before returning. */
  online?: (kioskId: string) => Promise<boolean>
  logger?: Logger
}

/**
 * An updatable kiosk under an in-process supervisor: `system.restartAgent` stops the agent and
 * creates a new one on the same data dir. The agent reads `peripheralsFor(version)` of the release
 * it starts on, so a release can come with a device that never answers.
 */
export async function startUpdatableKiosk(kioskId: string, options: UpdatableKioskOptions): Promise<Supervised> {
  const base = testAgentConfig(kioskId, options.mqttUrl, {
    ui: { enabled: options.ui ?? false },
    ...(options.peripherals ? { peripherals: options.peripherals } : {}),
    ...options.config,
  })
  const rootDir = mkdtempSync(join(tmpdir(), 'kiosk-root-'))
  const trustedRootFile = join(rootDir, 'root.json')
  writeFileSync(trustedRootFile, options.rootJson)
  const updatesConfig = {
    enabled: true,
    fleetUrl: options.fleetUrl,
    trustedRootFile,
    healthCheckTimeoutMs: 20_000,
    gatePollMs: 100,
    staleRetryMs: 200,
    downloadRetryMs: 100,
    ...options.updates,
  }
  let agent: KioskAgent
  let restarts = 0
  let stopped = false
  let restarting: Promise<void> = Promise.resolve()
  const boot = async () => {
    const peripherals = options.peripheralsFor?.(effectiveAppVersion(join(base.dataDir, 'app'), base.appVersion))
    const config = {
      ...base,
      ...(peripherals ? { peripherals } : {}),
      updates: { ...base.updates, ...updatesConfig },
    }
    agent = createKioskAgent({
      config: config as never,
      logger: options.logger ?? quietLogger,
      system: {
        restartAgent: () => {
          const old = agent
          restarting = old.stop().then(async () => {
            if (!stopped) await boot()
            restarts += 1
          })
        },
        reboot: () => undefined,
      },
    })
    await agent.start()
  }
  await boot()
  const supervised: Supervised = {
    kioskId,
    get agent() {
      return agent
    },
    get restarts() {
      return restarts
    },
    dataDir: base.dataDir,
    async stop() {
      stopped = true
      await restarting
      await agent.stop()
      rmSync(rootDir, { recursive: true, force: true })
    },
  }
  const online = options.online
  if (online !== undefined) {
    await waitFor(
      `${kioskId} online at the fleet`,
      async () => supervised.agent.connected && (await online(kioskId)),
      60_000,
    )
  }
  return supervised
}
