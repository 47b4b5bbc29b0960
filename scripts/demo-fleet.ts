import type { AgentConfig, PeripheralConfig } from '@kiosk/agent'
import type { MachineType, Site } from '@kiosk-fleet/protocol'

/** A county's town service centre and one of its village stations. */
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

/** An in-process status model (`emulated`), for a class the demo has no emulator on a port for. */
const device = (
  deviceId: string,
  deviceClass: NonNullable<PeripheralConfig['emulated']>['deviceClass'],
  vendor: string,
  model: string,
): PeripheralConfig => ({
  deviceId,
  emulated: { deviceClass, vendor, model },
  serial: `${model
    .replace(/[^A-Z0-9]/gi, '')
    .slice(0, 6)
    .toUpperCase()}${Math.floor(Math.random() * 9e5 + 1e5)}`,
  firmware: '1.0.0',
})

const docScanner = () => device('scanner', 'documentScanner', 'Fujitsu', 'fi-7160')
/** The social-security card reader as a status model: the demo's fallback when it cannot run pcscd. */
export const ssCardStatusModel = () => device('sscard', 'smartCardReader', 'Decard', 'T10')

/**
 * A demo kiosk. The ID-card reader, the receipt printer, the QR scanner, the A4 printer and the
 * social-security card reader are real drivers on emulated devices (ptys, ippeveprinter, a vpcd slot
 * of the demo's pcscd) that scripts/demo/demo-devices.ts creates; the classes whose drivers are not
 * wired into the agent yet stay in-process status models (`emulated`).
 */
export interface DemoKiosk {
  kioskId: string
  machineType: MachineType
  department: string
  site: Site
  title: string
  receipt: boolean
  a4: boolean
  /** A QR scanner (serial, on a pty) for licence notices. */
  qr: boolean
  /** A social-security card reader (PC/SC), into which the device panel inserts virtual cards. */
  ssc: boolean
  /** Where to go when this kiosk is out of service (shown on its screen). */
  nearestService: { zh: string; en: string }
  emulated: PeripheralConfig[]
}

const townWindow = {
  zh: '请到本中心大厅东侧的综合自助机，或3号人工窗口办理。',
  en: 'Please use the comprehensive kiosk on the east side of this hall, or staffed window 3.',
}

const [town, village] = DEMO_SITES as [Site, Site]

/** One kiosk of each machine type. */
export const DEMO_KIOSKS: DemoKiosk[] = [
  {
    kioskId: 'hx-tc-id-01',
    machineType: 'id',
    department: 'public-security',
    site: town,
    title: '身份证一体机 ID card',
    receipt: true,
    a4: false,
    qr: true,
    ssc: false,
    nearestService: townWindow,
    emulated: [],
  },
  {
    kioskId: 'hx-tc-license-01',
    machineType: 'license',
    department: 'market-regulation',
    site: town,
    title: '营业执照自助办理机 Business licence',
    receipt: false,
    a4: true,
    qr: true,
    ssc: false,
    nearestService: townWindow,
    emulated: [],
  },
  {
    kioskId: 'hx-tc-tax-01',
    machineType: 'tax',
    department: 'tax',
    site: town,
    title: '税务一体机 Tax',
    receipt: true,
    a4: true,
    qr: true,
    ssc: false,
    nearestService: townWindow,
    emulated: [docScanner()],
  },
  {
    kioskId: 'hx-tc-comprehensive-01',
    machineType: 'comprehensive',
    department: 'government-services',
    site: town,
    title: '综合政务一体机 Comprehensive',
    receipt: true,
    a4: true,
    qr: true,
    ssc: true,
    nearestService: { zh: '请到本中心3号人工窗口办理。', en: 'Please go to staffed window 3 in this hall.' },
    emulated: [docScanner()],
  },
  {
    kioskId: 'hx-lw-ss-01',
    machineType: 'social-security',
    department: 'human-resources',
    site: village,
    title: '社保一体机 Social security',
    receipt: false,
    a4: true,
    qr: false,
    ssc: true,
    nearestService: {
      zh: '请到花溪镇便民服务中心（新街8号，约2公里）的综合自助机或人工窗口办理。',
      en: 'Please go to the Huaxi town service centre (8 Xinjie, about 2 km): comprehensive kiosk or staffed window.',
    },
    emulated: [],
  },
]

export function demoAgentConfig(
  kiosk: DemoKiosk,
  options: {
    mqttUrl: string
    dataDir: string
    keepaliveS: number
    healthIntervalMs: number
    /** The driver-backed peripherals on the demo's emulated devices. */
    devices: Record<string, unknown>[]
    /** Where the fleet serves signed updates, and the root.json the kiosk trusts. */
    updates: { fleetUrl: string; trustedRootFile: string }
  },
): Record<string, unknown> & Pick<AgentConfig, 'kioskId'> {
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
    peripherals: [...options.devices, ...kiosk.emulated],
    devices: { reopenInitialMs: 250, reopenMaxMs: 2000 },
    ui: { nearestService: kiosk.nearestService, idleTimeoutMs: 60_000, idleWarningMs: 25_000 },
    updates: {
      enabled: true,
      ...options.updates,
      // Demo pace: check for installs every few seconds instead of every half minute.
      gatePollMs: 2000,
      downloadRetryMs: 2000,
    },
    log: { level: 'info' },
  }
}
