import type { AgentConfig, PeripheralConfig } from '@kiosk/agent'
import type { MachineType, Site } from '@kiosk-fleet/protocol'

/** A county's town service centre and one of its village stations (see shared/design.md). */
export const DEMO_SITES: Site[] = [
  {
    id: 'hx-town-centre',
    name: '花溪镇便民服务中心',
    kind: 'townCentre',
    city: '青州市',
    county: '花溪县',
    town: '花溪镇',
    latitude: 30.6121,
    longitude: 114.3105,
  },
  {
    id: 'hx-liuwan-station',
    name: '柳湾村便民服务站',
    kind: 'villageStation',
    city: '青州市',
    county: '花溪县',
    town: '花溪镇',
    latitude: 30.5897,
    longitude: 114.3472,
  },
]

const device = (
  deviceId: string,
  deviceClass: PeripheralConfig['deviceClass'],
  vendor: string,
  model: string,
  extra: Partial<PeripheralConfig> = {},
): PeripheralConfig => ({
  deviceId,
  deviceClass,
  vendor,
  model,
  serial: `${model
    .replace(/[^A-Z0-9]/gi, '')
    .slice(0, 6)
    .toUpperCase()}${Math.floor(Math.random() * 9e5 + 1e5)}`,
  firmware: '1.0.0',
  driver: 'emulated',
  ...extra,
})

const idReader = () => device('idcard', 'idCardReader', 'Synjones', 'SS628-100')
const receipt = (extra: Partial<PeripheralConfig> = {}) =>
  device('receipt', 'receiptPrinter', 'Epson', 'TM-T88VI', extra)
const a4 = () => device('a4', 'documentPrinter', 'HP', 'LaserJet M404')
const qr = () => device('qr', 'barcodeScanner', 'Honeywell', 'Xenon 1950g')
const docScanner = () => device('scanner', 'documentScanner', 'Fujitsu', 'fi-7160')
const ssCard = () => device('sscard', 'smartCardReader', 'Decard', 'T10')

/** A receipt printer whose roll runs low and out, then is refilled: shows faults reaching the fleet. */
const drainingPaper: Partial<PeripheralConfig> = {
  initialStatus: { state: 'online', paper: 'full', cover: 'closed' },
  script: [
    { afterMs: 20_000, status: { state: 'online', paper: 'low', cover: 'closed' } },
    { afterMs: 40_000, status: { state: 'userError', paper: 'out', cover: 'closed' } },
    { afterMs: 70_000, status: { state: 'online', paper: 'full', cover: 'closed' } },
  ],
  loopScriptMs: 90_000,
}

export interface DemoKiosk {
  kioskId: string
  machineType: MachineType
  department: string
  site: Site
  peripherals: PeripheralConfig[]
}

const [town, village] = DEMO_SITES as [Site, Site]

/** One kiosk of each machine type. */
export const DEMO_KIOSKS: DemoKiosk[] = [
  {
    kioskId: 'hx-tc-id-01',
    machineType: 'id',
    department: 'public-security',
    site: town,
    peripherals: [idReader(), receipt(), qr()],
  },
  {
    kioskId: 'hx-tc-license-01',
    machineType: 'license',
    department: 'market-regulation',
    site: town,
    peripherals: [idReader(), qr(), a4()],
  },
  {
    kioskId: 'hx-tc-tax-01',
    machineType: 'tax',
    department: 'tax',
    site: town,
    peripherals: [idReader(), a4(), receipt(drainingPaper), qr(), docScanner()],
  },
  {
    kioskId: 'hx-tc-comprehensive-01',
    machineType: 'comprehensive',
    department: 'government-services',
    site: town,
    peripherals: [idReader(), receipt(), a4(), qr(), docScanner(), ssCard()],
  },
  {
    kioskId: 'hx-lw-ss-01',
    machineType: 'social-security',
    department: 'human-resources',
    site: village,
    peripherals: [idReader(), ssCard(), a4()],
  },
]

export function demoAgentConfig(
  kiosk: DemoKiosk,
  options: { mqttUrl: string; dataDir: string; keepaliveS: number; healthIntervalMs: number },
): Record<string, unknown> & Pick<AgentConfig, 'kioskId' | 'peripherals'> {
  return {
    kioskId: kiosk.kioskId,
    machineType: kiosk.machineType,
    department: kiosk.department,
    site: kiosk.site,
    dataDir: options.dataDir,
    healthIntervalMs: options.healthIntervalMs,
    mqtt: {
      url: options.mqttUrl,
      keepaliveS: options.keepaliveS,
      reconnectPeriodMs: 1000,
      connectTimeoutMs: 5000,
      inflightWindow: 64,
    },
    peripherals: kiosk.peripherals,
    log: { level: 'info' },
  }
}
