import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSaneTestBackend, type SaneTestBackend } from '@drivers/scanner-sane/emulator'
import { createKioskAgent, type KioskAgent, loadAgentConfig } from '@kiosk/agent'
import { sampleBirth } from '@kiosk-fleet/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quietLogger } from '../support/fleet.ts'
import { waitFor } from '../support/wait-for.ts'

/**
 * The device manager opens a SANE scanner by its SANE device name, through scanimage and SANE's own
 * `test` backend: found → the tax kiosk's document-scan service is available; a name SANE does not
 * list → noDevice, and only that service goes unavailable.
 */
describe('SANE document scanner in the device manager', () => {
  let sane: SaneTestBackend
  const agents: KioskAgent[] = []

  beforeAll(async () => {
    sane = await createSaneTestBackend()
    // scanimage reads its backend list from here; this worker only runs this file.
    process.env.SANE_CONFIG_DIR = sane.configDir
  })
  afterAll(async () => {
    for (const agent of agents) await agent.stop()
    await sane?.remove()
  })

  async function taxKiosk(kioskId: string, saneDevice: string): Promise<KioskAgent> {
    const config = loadAgentConfig({
      env: {},
      file: {
        kioskId,
        machineType: 'tax',
        department: 'tax',
        site: sampleBirth().site,
        dataDir: mkdtempSync(join(tmpdir(), `kiosk-${kioskId}-`)),
        // No broker needed here: the link keeps retrying in the background.
        mqtt: { url: 'mqtt://127.0.0.1:9', reconnectPeriodMs: 60_000 },
        peripherals: [
          { deviceId: 'idcard', emulated: { deviceClass: 'idCardReader', vendor: 'demo', model: 'emulated' } },
          { deviceId: 'a4', emulated: { deviceClass: 'documentPrinter', vendor: 'demo', model: 'emulated' } },
          { deviceId: 'receipt', emulated: { deviceClass: 'receiptPrinter', vendor: 'demo', model: 'emulated' } },
          { deviceId: 'scanner', model: 'generic-sane-scanner', address: saneDevice },
          // The tax certificate asks for a face check against the card, which needs the camera.
          { deviceId: 'camera', emulated: { deviceClass: 'camera', vendor: 'demo', model: 'emulated' } },
        ],
        devices: { reopenInitialMs: 100, reopenMaxMs: 500 },
        ui: { enabled: false },
        log: { level: 'silent' },
      },
    })
    const agent = createKioskAgent({ config, logger: quietLogger })
    agents.push(agent)
    await agent.start()
    return agent
  }

  it('a scanner SANE lists is online; one it does not list is noDevice and blocks only document scanning', async () => {
    const present = await taxKiosk('int-sane-01', 'test:0')
    expect(present.devices.byId('scanner')?.status().state).toBe('online')
    expect(present.services.isAvailable('tax-document-scan')).toBe(true)

    const missing = await taxKiosk('int-sane-02', 'test:9')
    await waitFor('noDevice', () => missing.devices.byId('scanner')?.status().state === 'noDevice')
    const unavailable = missing.services.availability().filter((s) => !s.available)
    expect(unavailable.map((s) => s.serviceId)).toEqual(['tax-document-scan'])
  })
})
