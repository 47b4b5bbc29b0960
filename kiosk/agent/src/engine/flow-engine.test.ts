import { existsSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import {
  type DeviceClass,
  DeviceStatusModel,
  type DocumentScanner,
  type DocumentScannerEvents,
  type DocumentScannerFailureDetail,
  fail,
  ok,
  type Result,
  type ScanOptions,
  type ScanOutcome,
} from '@drivers/core'
import type { GatewayRequest, ServiceDefinition, ServiceInput } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { DEFAULT_CATALOGUE_DIR, DEFAULT_DEMO_GATEWAY_DIR, loadCatalogueDir } from '../catalogue/catalogue-files.ts'
import { CatalogueStore } from '../catalogue/catalogue-store.ts'
import { ServiceAvailabilityModel } from '../catalogue/service-availability.ts'
import { DeviceManager } from '../devices/device-manager.ts'
import { DriverPeripheral } from '../devices/driver-peripheral.ts'
import { EmulatedPeripheral } from '../devices/emulated-peripheral.ts'
import type { Peripheral } from '../devices/peripheral.ts'
import { CircuitBreakerGateway } from '../gateway/circuit-breaker.ts'
import { DEMO_PIN } from '../gateway/demo-data.ts'
import { DemoGateway } from '../gateway/demo-gateway.ts'
import type { DepartmentGateway } from '../gateway/department-gateway.ts'
import { CitizenSession } from '../sessions/citizen-session.ts'
import { FlowEngine } from './flow-engine.ts'
import { codeFromScan, maskPattern, shownInputs } from './inputs.ts'

const logger = pino({ level: 'silent' })
const citizen = { idNumber: '11010119900307002X', name: '张三' }
const CLASSES: DeviceClass[] = [
  'idCardReader',
  'receiptPrinter',
  'documentPrinter',
  'barcodeScanner',
  'documentScanner',
  'smartCardReader',
  // Services that require a face check against the card (idCardFace) need the camera.
  'camera',
]
const CODES: Record<string, string> = { noticeCode: 'LZ20260115-0789', creditTail: '20260115' }

/** The smallest PNG signature plus a marker: what the fake flatbed writes as a page. */
const PAGE_BYTES = Buffer.from('89504e470d0a1a0a' + Buffer.from('page one').toString('hex'), 'hex')

/** A flatbed that writes one page where it is told (or jams), as SaneScanner does through scanimage. */
class FakeFlatbed implements DocumentScanner {
  readonly description = 'fake flatbed'
  readonly #status = new DeviceStatusModel({ state: 'online' })
  jam = false
  /** Every file the scan wrote, and the options it got. */
  readonly written: string[] = []
  options: ScanOptions | undefined
  getStatus() {
    return this.#status.status
  }
  getCounters() {
    return {}
  }
  async listDevices() {
    return ok([])
  }
  async scan(outPattern: string, options?: ScanOptions): Promise<Result<ScanOutcome, DocumentScannerFailureDetail>> {
    this.options = options
    if (this.jam) return fail('hardwareError', 'paper jammed', 'mediaJam')
    writeFileSync(outPattern, PAGE_BYTES)
    this.written.push(outPattern)
    return ok({ pages: [{ path: outPattern, bytes: PAGE_BYTES.length }], pageCount: 1, durationMs: 1 })
  }
  cancel() {
    // A scan here is over before anyone could cancel it.
  }
  on<K extends keyof DocumentScannerEvents>(event: K, listener: (...args: DocumentScannerEvents[K]) => void) {
    if (event !== 'statusChanged') return () => undefined
    return this.#status.onChanged(listener as (...args: DocumentScannerEvents['statusChanged']) => void)
  }
}

/** The circuits' clock: a test moves it past `openMs`. */
let clock = Date.parse('2026-12-06T09:00:00Z')

function rig(
  gateway: DepartmentGateway = new DemoGateway({ dataDir: DEFAULT_DEMO_GATEWAY_DIR }),
  scanner?: DocumentScanner,
  log = logger,
) {
  const identity = (deviceClass: DeviceClass) => ({ deviceClass, vendor: 'v', model: 'm', serial: '', firmware: '' })
  // Emulated peripherals have a status only; a scan needs a device service behind the scanner.
  const peripherals = CLASSES.filter((c) => !(scanner && c === 'documentScanner')).map(
    (deviceClass) => new EmulatedPeripheral({ deviceId: deviceClass, identity: identity(deviceClass) }),
  )
  const scannerPeripheral = scanner
    ? new DriverPeripheral({
        deviceId: 'documentScanner',
        identity: identity('documentScanner'),
        device: scanner,
        open: async () => undefined,
        close: async () => undefined,
        reopen: { initialMs: 100, maxMs: 100 },
        logger,
      })
    : undefined
  const all: Peripheral[] = [...peripherals, ...(scannerPeripheral ? [scannerPeripheral] : [])]
  const catalogue = new CatalogueStore({
    catalogue: loadCatalogueDir(DEFAULT_CATALOGUE_DIR),
    offer: ['*'],
    busy: () => false,
    logger,
  })
  const breaker = new CircuitBreakerGateway(gateway, { failureThreshold: 2, openMs: 60_000, now: () => clock })
  const availability = new ServiceAvailabilityModel({
    catalogue,
    peripherals: all,
    circuit: (d) => breaker.state(d),
    // A kiosk with its face check configured, so face-checked services count as offered.
    identityReady: () => true,
  })
  const devices = new DeviceManager({ peripherals: all })
  const engine = new FlowEngine({
    catalogue,
    gateway: breaker,
    devices,
    availability,
    kioskId: 'unit-01',
    verifyBaseUrl: 'https://zwfw.example.gov.cn/verify',
    logger: log,
    now: () => new Date('2026-01-15T10:00:00+08:00'),
  })
  return { engine, catalogue, availability, peripherals, scannerPeripheral, breaker }
}

function sampleInput(input: ServiceInput): unknown {
  if (input.kind === 'code') return CODES[input.id]
  if (input.kind === 'option') return input.options[0]?.value
  if (input.kind === 'dateRange') return { from: '2025-02', to: '2026-01' }
  if (input.kind === 'pin') return '246810'.padEnd(input.length, '0').slice(0, input.length)
  return undefined
}

describe('the flow engine runs every service of the demo catalogue against the demo gateway', () => {
  const { engine, catalogue } = rig()
  const services = catalogue.offered()

  it.each(services.map((s) => [s.id, s] as [string, ServiceDefinition]))(
    '%s: identify, inputs, query, view',
    async (_id, service) => {
      const session = new CitizenSession(service.id)
      if (service.identity !== 'none') session.identify(citizen)
      if (service.inputs.some((i) => i.kind === 'documentScan')) {
        session.keep('scans', { papers: { pages: [{ mediaType: 'image/png', dataBase64: 'iVBORw0KGgo=' }] } })
      }
      const inputs = Object.fromEntries(service.inputs.map((i) => [i.id, sampleInput(i)]))
      const result = await engine.query(session, service, {
        inputs,
        ...(service.identity === 'idOrSsCardPin' ? { pin: DEMO_PIN } : {}),
      })
      if (!result.ok) expect(result).toEqual({ ok: true })
      if (!result.ok) return
      expect(result.value.kind).toBe(service.view.kind)
      for (const item of result.value.items) {
        expect(item.title.zh).not.toMatch(/\{\{|\}\}/)
        for (const line of item.lines) expect(line.value).not.toMatch(/\{\{|\}\}/)
      }
      if (service.output.kind === 'qr' && result.value.items.length > 0) {
        const out = await engine.output(session, service, result.value.items[0]?.id, () => undefined)
        expect(out.ok && 'qr' in out.value && out.value.qr.url).toMatch(/^https:\/\/zwfw\.example\.gov\.cn\/m\//)
      }
    },
  )

  it('the demo has realistic data: most services answer records', async () => {
    let withRecords = 0
    for (const service of services) {
      const session = new CitizenSession(service.id)
      if (service.identity !== 'none') session.identify(citizen)
      session.keep('scans', { papers: { pages: [] } })
      const inputs = Object.fromEntries(service.inputs.map((i) => [i.id, sampleInput(i)]))
      const r = await engine.query(session, service, { inputs, pin: DEMO_PIN })
      if (r.ok && r.value.items.length > 0) withRecords++
    }
    expect(withRecords).toBeGreaterThanOrEqual(services.length - 5)
  })
})

describe('flow engine rules', () => {
  it('a wrong PIN says how many tries are left, then the department locks it', async () => {
    const { engine, catalogue } = rig()
    const service = catalogue.offered().find((s) => s.identity === 'idOrSsCardPin')
    if (!service) throw new Error('the demo catalogue has a PIN service')
    const session = new CitizenSession(service.id)
    session.identify(citizen)
    const inputs = Object.fromEntries(service.inputs.map((i) => [i.id, sampleInput(i)]))
    const wrong = '000000'
    expect(await engine.query(session, service, { inputs, pin: wrong })).toMatchObject({
      ok: false,
      errorCode: 'pinWrong',
      triesLeft: 2,
    })
    expect(await engine.query(session, service, { inputs, pin: wrong })).toMatchObject({ triesLeft: 1 })
    expect(await engine.query(session, service, { inputs, pin: wrong })).toMatchObject({ triesLeft: 0 })
    const locked = await engine.query(session, service, { inputs, pin: DEMO_PIN })
    expect(locked).toMatchObject({ ok: false, errorCode: 'pinLocked' })
    expect(locked).not.toHaveProperty('triesLeft')
  })

  it('a typed code must fill its mask; a scanned URL gives the code inside it', () => {
    expect(maskPattern('LZ########-####').test('LZ20260115-0789')).toBe(true)
    expect(codeFromScan('LZ########-####', 'https://x.gov.cn/n?code=lz20260115-0789&x=1')).toBe('LZ20260115-0789')
    expect(codeFromScan('LZ########-####', 'https://x.gov.cn/n?code=LZ2026')).toBeUndefined()
  })

  it('refuses inputs that do not fit the definition, before any gateway call', async () => {
    let calls = 0
    const counting: DepartmentGateway = {
      call: async () => {
        calls++
        return { ok: true, records: [] }
      },
    }
    const { engine, catalogue } = rig(counting)
    const licence = catalogue.service('license-print') as ServiceDefinition
    const session = new CitizenSession(licence.id)
    session.identify(citizen)
    expect(await engine.query(session, licence, { inputs: { noticeCode: 'LZ2026' } })).toMatchObject({
      ok: false,
      errorCode: 'codeFormat',
    })
    const iit = catalogue.service('iit-records') as ServiceDefinition
    expect(await engine.query(session, iit, { inputs: { period: { from: '2015-01', to: '2016-01' } } })).toMatchObject({
      ok: false,
      errorCode: 'periodTooLong',
    })
    const queue = catalogue.service('queue-ticket') as ServiceDefinition
    expect(await engine.query(new CitizenSession(queue.id), queue, { inputs: { business: 'Z' } })).toMatchObject({
      ok: false,
      errorCode: 'optionMissing',
    })
    expect(calls).toBe(0)
    expect(
      await engine.query(new CitizenSession('id-progress'), catalogue.service('id-progress') as ServiceDefinition, {}),
    ).toMatchObject({
      ok: false,
      errorCode: 'notIdentified',
    })
  })

  it('a failing department becomes unavailable after the threshold, with its own reason; other departments stay', async () => {
    const failing: DepartmentGateway = {
      call: async (department) =>
        department === 'housing-fund'
          ? { ok: false, error: { code: 'unavailable', message: 'down' } }
          : { ok: true, records: [] },
    }
    const { engine, catalogue, availability } = rig(failing)
    const hf = catalogue.service('hf-account-info') as ServiceDefinition
    const session = new CitizenSession(hf.id)
    session.identify(citizen)
    expect(await engine.query(session, hf, {})).toMatchObject({ ok: false, errorCode: 'backendUnavailable' })
    expect(await engine.query(session, hf, {})).toMatchObject({ ok: false, errorCode: 'departmentUnavailable' })
    const down = availability.availability().filter((s) => !s.available)
    expect(down.length).toBe(catalogue.offered().filter((s) => s.department === 'housing-fund').length)
    expect(down.every((s) => s.reason === 'gatewayDown')).toBe(true)
    // Once openMs passed the next citizen may try (the trial), but the fleet still hears "down"
    // until a call succeeds: an idle kiosk must not clear the fleet's alert every openMs.
    clock += 60_000
    expect(availability.availability().filter((s) => !s.available)).toEqual([])
    expect(availability.availability('fleet').filter((s) => !s.available)).toEqual(down)
  })

  it('a dead A4 printer blocks the A4 services only; an optional receipt keeps its service', () => {
    const { availability, peripherals } = rig()
    peripherals.find((p) => p.deviceId === 'documentPrinter')?.setStatus({ state: 'online', paper: 'out' })
    peripherals.find((p) => p.deviceId === 'receiptPrinter')?.setStatus({ state: 'hardwareError' })
    const down = availability.availability().filter((s) => !s.available)
    expect(down.every((s) => s.reason === 'peripheral')).toBe(true)
    const ids = down.map((s) => s.serviceId)
    expect(ids).toContain('tax-certificate')
    expect(ids).toContain('queue-ticket')
    expect(ids).not.toContain('id-progress')
    expect(ids).not.toContain('hf-withdrawal-progress')
  })
})

/** A gateway that answers as the demo's does and keeps every request it got. */
function recordingGateway() {
  const demo = new DemoGateway({ dataDir: DEFAULT_DEMO_GATEWAY_DIR })
  const requests: { department: string; operation: string; request: GatewayRequest }[] = []
  const gateway: DepartmentGateway = {
    call: (department, operation, request) => {
      requests.push({ department, operation, request })
      return demo.call(department, operation, request)
    },
  }
  return { gateway, requests }
}

describe('a document scan input', () => {
  async function scanRig() {
    const flatbed = new FakeFlatbed()
    const recorded = recordingGateway()
    const r = rig(recorded.gateway, flatbed)
    await r.scannerPeripheral?.start()
    const service = r.catalogue.service('tax-document-scan') as ServiceDefinition
    const session = new CitizenSession(service.id)
    session.identify(citizen)
    return { ...r, ...recorded, flatbed, service, session }
  }

  it('scans the pages into the session, leaves no file behind, and the query sends them as the mapped param', async () => {
    const { engine, service, session, flatbed, requests } = await scanRig()
    expect(await engine.scan(session, service, 'papers')).toEqual({ ok: true, value: { pages: 1 } })
    expect(flatbed.options).toMatchObject({ format: 'png', maxPages: 1 })
    // Read into the session, the page file and its folder are gone at once.
    expect(flatbed.written).toHaveLength(1)
    expect(existsSync(dirname(flatbed.written[0] ?? ''))).toBe(false)
    expect(requests).toHaveLength(0)
    // What the UI sends for the input ({scanned: n}) is not what goes to the gateway: the session's pages are.
    const result = await engine.query(session, service, { inputs: { papers: { scanned: 1 } } })
    expect(requests.map((r) => [r.department, r.operation])).toEqual([['tax', 'tax-document-submit']])
    expect(requests[0]?.request.params).toEqual({
      pages: { pages: [{ mediaType: 'image/png', dataBase64: PAGE_BYTES.toString('base64') }] },
    })
    if (!result.ok) throw new Error(result.errorCode)
    // The demo gateway answers with the number of pages it received.
    expect(result.value.items[0]?.lines).toContainEqual({ label: { zh: '页数', en: 'Pages' }, value: '1' })
    expect(result.value.items[0]?.title.zh).toMatch(/^受理编号 SS\d{6}$/)
  })

  it("without a scan the query asks for it, and a jam is the scanner's reason; neither calls the gateway", async () => {
    const { engine, service, session, flatbed, requests } = await scanRig()
    expect(await engine.query(session, service, { inputs: {} })).toMatchObject({ ok: false, errorCode: 'scanMissing' })
    flatbed.jam = true
    expect(await engine.scan(session, service, 'papers')).toMatchObject({
      ok: false,
      completionCode: 'hardwareError',
      errorCode: 'mediaJam',
    })
    expect(await engine.query(session, service, { inputs: {} })).toMatchObject({ ok: false, errorCode: 'scanMissing' })
    expect(await engine.scan(session, service, 'nope')).toMatchObject({ ok: false, errorCode: 'inputMissing' })
    expect(requests).toHaveLength(0)
  })

  it('a kiosk whose scanner has no working driver says so', async () => {
    const { engine, catalogue } = rig()
    const service = catalogue.service('tax-document-scan') as ServiceDefinition
    const session = new CitizenSession(service.id)
    session.identify(citizen)
    expect(await engine.scan(session, service, 'papers')).toMatchObject({
      ok: false,
      completionCode: 'deviceNotReady',
      errorCode: 'scannerNotReady',
    })
  })
})

describe('a PIN input (a query password)', () => {
  const PASSWORD = '246810'

  it('goes to the gateway call only: never into the result view, the logs, or what a document is filled with', async () => {
    const lines: string[] = []
    const log = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) })
    const { gateway, requests } = recordingGateway()
    const { engine, catalogue } = rig(gateway, undefined, log)
    const service = catalogue.service('hf-annual-statement') as ServiceDefinition
    expect(service.inputs).toMatchObject([{ kind: 'pin', id: 'queryPassword', length: 6 }])
    // A careless definition that would show the password: the engine leaves it out.
    const careless: ServiceDefinition = {
      ...service,
      view: {
        ...service.view,
        record: {
          ...service.view.record,
          lines: [
            ...service.view.record.lines,
            { label: { zh: '密码', en: 'PIN' }, value: 'x{{input.queryPassword}}' },
          ],
        },
      },
    }
    for (const s of [service, careless]) {
      const session = new CitizenSession(s.id)
      session.identify(citizen)
      const result = await engine.query(session, s, { inputs: { queryPassword: PASSWORD } })
      if (!result.ok) throw new Error(result.errorCode)
      expect(result.value.items.map((i) => i.title.zh)).toEqual([
        '2025年度 年末余额 38,652.20 元',
        '2024年度 年末余额 31,286.40 元',
      ])
      expect(JSON.stringify(result.value)).not.toContain(PASSWORD)
    }
    expect(requests.map((r) => r.request.params)).toEqual([{ password: PASSWORD }, { password: PASSWORD }])
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.join('\n')).not.toContain(PASSWORD)
    expect(shownInputs(service, { queryPassword: PASSWORD, period: { from: '2025-01', to: '2025-12' } })).toEqual({
      period: { from: '2025-01', to: '2025-12' },
    })
  })

  it('takes exactly its length in digits, checked before any gateway call', async () => {
    const { gateway, requests } = recordingGateway()
    const { engine, catalogue } = rig(gateway)
    const service = catalogue.service('hf-annual-statement') as ServiceDefinition
    const session = new CitizenSession(service.id)
    session.identify(citizen)
    for (const wrong of ['24681', '2468100', '24681a', undefined]) {
      expect(await engine.query(session, service, { inputs: { queryPassword: wrong } })).toMatchObject({
        ok: false,
        errorCode: 'pinFormat',
      })
    }
    const four: ServiceDefinition = {
      ...service,
      inputs: [{ ...(service.inputs[0] as Extract<ServiceInput, { kind: 'pin' }>), length: 4 }],
    }
    expect(await engine.query(session, four, { inputs: { queryPassword: '2468' } })).toMatchObject({ ok: true })
    expect(requests.map((r) => r.request.params)).toEqual([{ password: '2468' }])
  })
})
