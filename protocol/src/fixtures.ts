import type { BirthPayload } from './schemas/birth.ts'
import type { HealthPayload } from './schemas/health.ts'

/** Valid sample payloads: used by the contract doc, the tests of both ends and the ingest benchmark. */
export function sampleBirth(overrides: Partial<BirthPayload> = {}): BirthPayload {
  return {
    seq: 1,
    ts: 1_764_000_000_000,
    session: 1,
    kioskId: 'hx-tc01-id-01',
    machineType: 'id',
    department: 'public-security',
    site: {
      id: 'hx-tc01',
      name: '花溪镇便民服务中心',
      kind: 'townCentre',
      city: '青州市',
      county: '花溪县',
      town: '花溪镇',
      latitude: 30.61,
      longitude: 114.32,
    },
    appVersion: '0.1.0',
    healthIntervalMs: 30_000,
    peripherals: [
      {
        deviceId: 'idcard',
        deviceClass: 'idCardReader',
        vendor: 'Synjones',
        model: 'SS628-100',
        serial: 'SN20240001',
        firmware: '1.2.0',
      },
      {
        deviceId: 'receipt',
        deviceClass: 'receiptPrinter',
        vendor: 'Epson',
        model: 'TM-T88VI',
        serial: 'X6ZE012345',
        firmware: '30.01',
      },
    ],
    ...overrides,
  }
}

export function sampleHealth(overrides: Partial<HealthPayload> = {}): HealthPayload {
  return {
    seq: 2,
    ts: 1_764_000_030_000,
    uptimeS: 30,
    mode: 'inService',
    peripherals: [
      {
        deviceId: 'idcard',
        status: { state: 'online', media: 'notPresent' },
        counters: { readsOk: 12, readsFailed: 1 },
      },
      {
        deviceId: 'receipt',
        status: { state: 'online', paper: 'low', cover: 'closed' },
        counters: { jobs: 40, cuts: 40, paperRemainingMm: 1200 },
      },
    ],
    services: [
      { serviceId: 'id-progress', available: true, blockedBy: [] },
      { serviceId: 'id-receipt', available: true, blockedBy: [] },
    ],
    outbox: { pending: 0 },
    system: { rssMb: 92.5, load1: 0.4 },
    ...overrides,
  }
}
