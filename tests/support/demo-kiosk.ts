import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { type AgentConfig, createKioskAgent, createRootLogger, type KioskAgent, loadAgentConfig } from '@kiosk/agent'
import type { PanelKiosk } from '../../scripts/demo/control-panel.ts'
import { type DemoDeviceSet, startDemoDevices } from '../../scripts/demo/demo-devices.ts'
import type { DemoSscReader } from '../../scripts/demo/demo-pcsc.ts'
import { DEMO_KIOSKS, type DemoKiosk, demoAgentConfig } from '../../scripts/demo-fleet.ts'
import { testKioskMqttCredentials } from './kiosk-credentials.ts'

export interface DemoKioskRig {
  kiosk: DemoKiosk
  devices: DemoDeviceSet
  agent: KioskAgent
  /** What the device panel takes for this kiosk (`startControlPanel({kiosks: [rig.panelKiosk]})`). */
  panelKiosk: PanelKiosk
  /** Every log line the agent wrote (warn and above), as text. */
  logs: string[]
  stop(): Promise<void>
}

/**
 * One kiosk of `npm start` composed as the demo composes it: its devices from
 * scripts/demo/demo-devices.ts, its agent config from scripts/demo-fleet.ts. Unlike the demo, the
 * agent runs in this process (the demo spawns one per kiosk), on the test stack's broker, with the
 * update channel off.
 */
export async function startDemoKiosk(options: {
  kioskId: string
  mqttUrl: string
  /** The social-security card reader (scripts/demo/demo-pcsc.ts), for a kiosk that has one. */
  ssc?: DemoSscReader
}): Promise<DemoKioskRig> {
  const kiosk = DEMO_KIOSKS.find((k) => k.kioskId === options.kioskId)
  if (!kiosk) throw new Error(`the demo has no kiosk ${options.kioskId}`)
  const devices = await startDemoDevices({
    kioskId: kiosk.kioskId,
    receipt: kiosk.receipt,
    a4: kiosk.a4,
    qr: kiosk.qr,
    ...(options.ssc ? { ssc: options.ssc } : {}),
  })
  const dataDir = mkdtempSync(join(tmpdir(), `demo-${kiosk.kioskId}-`))
  try {
    const file = demoAgentConfig(kiosk, {
      mqttUrl: options.mqttUrl,
      dataDir,
      keepaliveS: 30,
      healthIntervalMs: 60_000,
      devices: devices.peripherals(),
      updates: { fleetUrl: 'http://127.0.0.1:9', trustedRootFile: join(dataDir, 'root.json') },
    })
    const config = loadAgentConfig({
      env: {},
      file: {
        ...file,
        mqtt: { ...(file.mqtt as object), ...testKioskMqttCredentials(kiosk.kioskId) },
        updates: { enabled: false },
      },
    }) as AgentConfig
    const logs: string[] = []
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString())
        done()
      },
    })
    const agent = createKioskAgent({ config, logger: createRootLogger('warn', sink) })
    await agent.start()
    return {
      kiosk,
      devices,
      agent,
      panelKiosk: { kioskId: kiosk.kioskId, title: kiosk.title, dataDir, devices },
      logs,
      async stop() {
        await agent.stop().catch(() => undefined)
        await devices.close().catch(() => undefined)
        rmSync(dataDir, { recursive: true, force: true })
      },
    }
  } catch (err) {
    await devices.close().catch(() => undefined)
    throw err
  }
}
