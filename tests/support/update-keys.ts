/**
 * Test key material and a fleet-server with its update repository: a root ceremony into a temp
 * directory (root.json + online-keys.json, as `root-keys-cli create-root` writes them), vendor key
 * pairs, users of each role with API tokens, and the registry's models with update support.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { allDefinitions } from '@drivers/registry'
import {
  createRoot,
  type DeviceModelCatalog,
  deviceModelCatalog,
  type FleetServer,
  IdentityRepo,
  loadFleetConfig,
  type RepositoryLifetimes,
  type Role,
  startFleetServer,
} from '@fleet/server'
import type { Logger } from 'pino'
import type { TestDatabase } from './databases.ts'
import { quietLogger, TEST_ADMIN_PASSWORD } from './fleet.ts'
import { TEST_FLEET_MQTT } from './kiosk-credentials.ts'

export interface TestUpdateKeys {
  dir: string
  rootFile: string
  onlineKeysFile: string
  rootJson: string
}

/** A 1-of-1 root ceremony in a fresh directory (removed by `cleanup`). */
export async function createTestUpdateKeys(now = Date.now()): Promise<TestUpdateKeys & { cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tuf-ceremony-'))
  const out = join(dir, 'keys')
  const result = await createRoot(out, 1, 1, now)
  const onlineKeysFile = result.onlineKeyFiles[0] as string
  return {
    dir: out,
    rootFile: result.rootFile,
    onlineKeysFile,
    rootJson: await readFile(result.rootFile, 'utf8'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}

/** A JSON schema for the test printer's configuration. */
export const TEST_PRINTER_CONFIG_SCHEMA = {
  type: 'object',
  required: ['density', 'cutter'],
  additionalProperties: false,
  properties: {
    density: { type: 'integer', minimum: 1, maximum: 8 },
    cutter: { type: 'boolean' },
  },
}

/**
 * Real registry models with update support fixed for these tests, whatever the registry says today:
 * xprinter firmware + config + revisions, epson firmware only, shensi nothing.
 */
export const TEST_FIRMWARE_MODEL = 'xprinter-xp-t58h'
export const TEST_OTHER_VENDOR_MODEL = 'epson-tm-t88v'
/** A model that takes neither firmware nor config in these tests. */
export const TEST_NO_UPDATE_MODEL = 'shensi-ss628'

export function testDeviceModels(): DeviceModelCatalog {
  return deviceModelCatalog(
    allDefinitions.map((d) => {
      if (d.id === TEST_FIRMWARE_MODEL) {
        return {
          ...d,
          update: { firmware: true, hwRevisions: ['r1', 'r2'], configSchema: TEST_PRINTER_CONFIG_SCHEMA },
        }
      }
      if (d.id === TEST_OTHER_VENDOR_MODEL) return { ...d, update: { firmware: true } }
      if (d.id === TEST_NO_UPDATE_MODEL) return { ...d, update: undefined }
      return d
    }),
  )
}

export interface UpdateFleetOptions {
  database: TestDatabase
  updatesDir: string
  keys?: Pick<TestUpdateKeys, 'rootFile' | 'onlineKeysFile'> | undefined
  deviceModels?: DeviceModelCatalog
  clock?: () => number
  lifetimes?: RepositoryLifetimes
  updates?: Record<string, unknown>
  logger?: Logger
}

/** A fleet-server (embedded broker on a free port) with the update repository configured. */
export async function startUpdateFleet(options: UpdateFleetOptions): Promise<FleetServer> {
  const config = loadFleetConfig({
    file: {
      http: { port: 0 },
      mqtt: {
        embedded: { port: 0 },
        clientId: `fleet-${Math.random().toString(36).slice(2, 10)}`,
        ...TEST_FLEET_MQTT,
      },
      database: options.database.config,
      auth: { initialAdminPassword: TEST_ADMIN_PASSWORD },
      log: { level: 'silent' },
      updates: {
        dir: options.updatesDir,
        ...(options.keys === undefined
          ? {}
          : { rootFile: options.keys.rootFile, onlineKeysFile: options.keys.onlineKeysFile }),
        ...options.updates,
      },
    },
  })
  return startFleetServer(config, options.logger ?? quietLogger, {
    deviceModels: options.deviceModels ?? testDeviceModels(),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.lifetimes === undefined ? {} : { updateLifetimes: options.lifetimes }),
  })
}

/** A user of `role` with an API token; returns `fetch` headers that authenticate as it. */
export async function testUser(
  fleet: FleetServer,
  id: string,
  role: Role,
  scope: { departments?: string[]; vendors?: string[] } = {},
): Promise<{ authorization: string }> {
  const identity = new IdentityRepo(fleet.db)
  // A retried test finds the user its first attempt created: a new token is enough.
  await identity
    .createUser({ id, displayName: id, password: `${id}-password-123`, role, ...scope })
    .catch((err: unknown) => {
      if ((err as { code?: string }).code !== '23505') throw err
    })
  const { token } = await identity.createApiToken(id, 'test', undefined)
  return { authorization: `Bearer ${token}` }
}
