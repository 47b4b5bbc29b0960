import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { type EmulatedCard, Ga467Emulator, parseCardFile } from '@drivers/card-reader-ga467/emulator'
import { EscPosEmulator } from '@drivers/printer-escpos/emulator'
import { SerialScannerEmulator } from '@drivers/scanner-barcode/emulator'
import { SerialTransport } from '@drivers/transport-serial'
import {
  type AgentConfig,
  createKioskAgent,
  createRootLogger,
  type DepartmentGateway,
  type KioskAgent,
  LogRing,
  loadAgentConfig,
} from '@kiosk/agent'
import { type DemoIdentityPlatform, startDemoIdentityPlatform } from '@kiosk/agent/identity'
import { type MachineType, sampleBirth } from '@kiosk-fleet/protocol'
import { type IppEvePrinter, startIppEvePrinter } from './ippeveprinter.ts'
import { testKioskMqttCredentials } from './kiosk-credentials.ts'
import { createPtyPair, type PtyPair } from './pty.ts'

const CARDS = join(import.meta.dirname, '../../drivers/card-reader-ga467/fixtures/cards')

/** A GA 467 fixture card (synthetic people only). */
export function fixtureCard(name = 'resident-zhang-san'): EmulatedCard {
  return parseCardFile(JSON.parse(readFileSync(join(CARDS, `${name}.json`), 'utf8')))
}

const NEEDS: Record<MachineType, { receipt: boolean; a4: boolean; qr: boolean; emulated: [string, string][] }> = {
  id: { receipt: true, a4: false, qr: true, emulated: [['camera', 'camera']] },
  license: { receipt: false, a4: true, qr: true, emulated: [['camera', 'camera']] },
  tax: {
    receipt: true,
    a4: true,
    qr: true,
    emulated: [
      ['scanner', 'documentScanner'],
      ['camera', 'camera'],
    ],
  },
  'social-security': { receipt: false, a4: true, qr: false, emulated: [['sscard', 'smartCardReader']] },
  comprehensive: {
    receipt: true,
    a4: true,
    qr: true,
    emulated: [
      ['scanner', 'documentScanner'],
      ['sscard', 'smartCardReader'],
      ['camera', 'camera'],
    ],
  },
}

export interface KioskRig {
  agent: KioskAgent
  /** The demo identity platform the face check asks (default rigs only). */
  identityPlatform: DemoIdentityPlatform | undefined
  config: AgentConfig
  reader: Ga467Emulator
  readerPty: PtyPair
  receipt: EscPosEmulator | undefined
  /** The QR scanner (serial, CR-terminated) on its pty. */
  scanner: SerialScannerEmulator | undefined
  ipp: IppEvePrinter | undefined
  /** Every log line the agent wrote, as text. */
  logs: string[]
  /** The UI with its per-boot token in the fragment, as the shell opens it. */
  uiUrl: string
  /** Text of every file in the agent's data dir (outbox, counters, token). */
  dataDirText(): string
  stop(): Promise<void>
}

/**
 * A kiosk agent of one machine type on real device paths: the GA 467 reader emulator and the
 * ESC/POS printer emulator each on a socat pty pair (the agent opens the other end through the
 * drivers, as /dev/ttyUSB0), ippeveprinter for A4; classes without a driver yet stay emulated.
 */
export async function startKioskRig(options: {
  kioskId: string
  machineType: MachineType
  mqttUrl: string
  ui?: Record<string, unknown>
  /** Department systems instead of the config's (the demo gateway). */
  gateway?: DepartmentGateway
  /** Agent config overrides (catalogue dir and offer, backend). */
  config?: Record<string, unknown>
  /** Open the social-security card reader on this pcscd reader (tests/support/pcscd.ts) instead of emulating it. */
  pcscReaderName?: string
  /**
   * Open the document scanner on this SANE device (`test:0` of createSaneTestBackend, with
   * SANE_CONFIG_DIR set in this process) instead of emulating it, so the scan step really scans.
   */
  saneDevice?: string
  /**
   * The agent's `identity` settings. Default: the face check goes to a demo identity platform
   * (answering `match`; `rig.identityPlatform.setDecision` changes it), so flows are tested without
   * loading face models; tests/e2e/kiosk-face-check runs the on-device models.
   */
  identity?: Record<string, unknown>
  /** Pace the emulated ID-card reader's replies at 115200 baud, as a real reader's line is (benchmarks). */
  pacedReader?: boolean
}): Promise<KioskRig> {
  const needs = NEEDS[options.machineType]
  const cleanups: (() => Promise<void>)[] = []
  const readerPty = await createPtyPair()
  cleanups.push(() => readerPty.close())
  const reader = new Ga467Emulator({
    transport: new SerialTransport({ path: readerPty.deviceEnd, baudRate: 115200 }),
    ...(options.pacedReader ? { baudRate: 115200 } : {}),
  })
  await reader.start()
  cleanups.push(() => reader.stop())
  const peripherals: Record<string, unknown>[] = [
    {
      deviceId: 'idcard',
      model: 'generic-sam-v-uart',
      address: readerPty.hostEnd,
    },
  ]
  let receipt: EscPosEmulator | undefined
  if (needs.receipt) {
    const pty = await createPtyPair()
    cleanups.push(() => pty.close())
    receipt = new EscPosEmulator({ transport: new SerialTransport({ path: pty.deviceEnd, baudRate: 115200 }) })
    await receipt.start()
    const emulator = receipt
    cleanups.push(() => emulator.stop())
    peripherals.push({
      deviceId: 'receipt',
      model: 'generic-escpos-80mm',
      address: pty.hostEnd,
    })
  }
  let scanner: SerialScannerEmulator | undefined
  if (needs.qr) {
    const pty = await createPtyPair()
    cleanups.push(() => pty.close())
    scanner = new SerialScannerEmulator({ transport: new SerialTransport({ path: pty.deviceEnd, baudRate: 9600 }) })
    await scanner.start()
    const emulator = scanner
    cleanups.push(() => emulator.stop())
    peripherals.push({
      deviceId: 'qr',
      model: 'generic-serial-barcode-scanner',
      address: pty.hostEnd,
    })
  }
  let ipp: IppEvePrinter | undefined
  if (needs.a4) {
    ipp = await startIppEvePrinter({ name: `Kiosk-${options.kioskId}` })
    const printer = ipp
    cleanups.push(() => printer.close())
    peripherals.push({
      deviceId: 'a4',
      model: 'generic-ipp-everywhere',
      address: ipp.url,
      statusPollMs: 1000,
    })
  }
  for (const [deviceId, deviceClass] of needs.emulated) {
    if (deviceClass === 'smartCardReader' && options.pcscReaderName) {
      peripherals.push({
        deviceId,
        model: 'generic-pcsc-reader',
        address: options.pcscReaderName,
      })
    } else if (deviceClass === 'documentScanner' && options.saneDevice) {
      peripherals.push({ deviceId, model: 'generic-sane-scanner', address: options.saneDevice })
    } else peripherals.push({ deviceId, emulated: { deviceClass, vendor: 'demo', model: 'emulated' } })
  }
  let identityPlatform: DemoIdentityPlatform | undefined
  if (!options.identity) {
    const platform = await startDemoIdentityPlatform()
    identityPlatform = platform
    cleanups.push(() => platform.close())
  }
  const identity = options.identity ?? { faceCheck: 'remote', platformUrl: identityPlatform?.url }
  const dataDir = mkdtempSync(join(tmpdir(), `kiosk-${options.kioskId}-`))
  const config = loadAgentConfig({
    env: {},
    file: {
      kioskId: options.kioskId,
      machineType: options.machineType,
      department: 'test-department',
      site: sampleBirth().site,
      dataDir,
      healthIntervalMs: 60_000,
      mqtt: {
        url: options.mqttUrl,
        keepaliveS: 30,
        reconnectPeriodMs: 200,
        ...testKioskMqttCredentials(options.kioskId),
      },
      peripherals,
      devices: { reopenInitialMs: 100, reopenMaxMs: 1000 },
      ui: options.ui ?? {},
      identity,
      log: { level: 'debug' },
      ...options.config,
    },
  }) as AgentConfig
  const logs: string[] = []
  // Tee the agent's (redacted) log lines into the ring `collect-logs` reads, as main.ts does.
  const logRing = new LogRing()
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString())
      logRing.write(chunk)
      done()
    },
  })
  const agent = createKioskAgent({
    config,
    logger: createRootLogger('debug', sink),
    logRing,
    ...(options.gateway ? { gateway: options.gateway } : {}),
  })
  await agent.start()
  cleanups.push(() => agent.stop())
  const citizen = agent.citizen
  if (!citizen) throw new Error('the citizen UI did not start')
  return {
    agent,
    identityPlatform,
    config,
    reader,
    readerPty,
    receipt,
    scanner,
    ipp,
    logs,
    uiUrl: `${citizen.url}/#token=${citizen.token}`,
    dataDirText: () =>
      readdirSync(dataDir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
        .join('\n'),
    async stop() {
      for (const fn of cleanups.reverse()) await fn().catch(() => undefined)
    },
  }
}
