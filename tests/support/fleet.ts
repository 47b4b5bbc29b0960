import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type FleetConfig, type FleetServer, loadFleetConfig, startFleetServer } from '@fleet/server'
import { type AgentConfig, loadAgentConfig } from '@kiosk/agent'
import { sampleBirth } from '@kiosk-fleet/protocol'
import pino, { type Logger } from 'pino'
import type { TestDatabase } from './databases.ts'
import { TEST_FLEET_MQTT, testKioskMqttCredentials } from './kiosk-credentials.ts'

export const TEST_ADMIN_PASSWORD = 'test-admin-password'

export const quietLogger: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })

/** Starts a fleet-server on an external broker URL (or embedded when undefined), HTTP on a free port. */
export async function startTestFleet(options: {
  mqttUrl?: string | undefined
  /** Port of the embedded broker when `mqttUrl` is undefined (0: any free port). */
  embeddedPort?: number
  database: TestDatabase
  ingest?: Partial<FleetConfig['ingest']>
  /** More fleet settings (e.g. `alerts`), merged over the test defaults. */
  settings?: Record<string, unknown>
  logger?: Logger
}): Promise<FleetServer> {
  const config = loadFleetConfig({
    file: {
      http: { port: 0 },
      mqtt: {
        ...(options.mqttUrl === undefined
          ? { embedded: { port: options.embeddedPort ?? 0 } }
          : { url: options.mqttUrl }),
        clientId: `fleet-${Math.random().toString(36).slice(2, 10)}`,
        ...TEST_FLEET_MQTT,
      },
      database: options.database.config,
      ingest: { maxDelayMs: 20, ...options.ingest },
      auth: { initialAdminPassword: TEST_ADMIN_PASSWORD },
      log: { level: 'silent' },
      ...options.settings,
    },
  })
  return startFleetServer(config, options.logger ?? quietLogger)
}

/**
 * A kiosk agent config with two emulated peripherals, its data in a fresh temp dir, and MQTT
 * credentials provisioned on the running test stack (kiosk-credentials.ts) unless `mqtt.password` is given.
 */
export function testAgentConfig(
  kioskId: string,
  mqttUrl: string,
  { mqtt = {}, ...overrides }: Record<string, unknown> & { mqtt?: Record<string, unknown> } = {},
): AgentConfig {
  const site = sampleBirth().site
  return loadAgentConfig({
    env: {},
    file: {
      kioskId,
      machineType: 'id',
      department: 'public-security',
      site,
      dataDir: mkdtempSync(join(tmpdir(), `kiosk-${kioskId}-`)),
      healthIntervalMs: 60_000,
      mqtt: {
        url: mqttUrl,
        keepaliveS: 30,
        reconnectPeriodMs: 200,
        ...(mqtt.password === undefined ? testKioskMqttCredentials(kioskId) : {}),
        ...mqtt,
      },
      peripherals: [
        { deviceId: 'idcard', emulated: { deviceClass: 'idCardReader', vendor: 'Synjones', model: 'SS628-100' } },
        {
          deviceId: 'receipt',
          emulated: {
            deviceClass: 'receiptPrinter',
            vendor: 'Epson',
            model: 'TM-T88VI',
            initialStatus: { state: 'online', paper: 'full' },
          },
        },
      ],
      log: { level: 'silent' },
      ...overrides,
    },
  }) as AgentConfig
}
