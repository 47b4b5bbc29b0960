import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DemoKioskRig, startDemoKiosk } from '../support/demo-kiosk.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { testUser } from '../support/update-keys.ts'
import { waitFor } from '../support/wait-for.ts'

// The demo's ID-card kiosk as `npm start` composes it (emulated devices on ptys, its agent config):
// its receipt printer must reach the fleet as the registry model vendors push firmware for, under the
// vendor id a vendor user is scoped by — or a vendor's rollout in the demo selects nothing.
describe('demo devices as a vendor sees them', () => {
  let stack: TestStack
  let rig: DemoKioskRig
  let epson: { authorization: string }

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    rig = await startDemoKiosk({ kioskId: 'hx-tc-id-01', mqttUrl: stack.mqttUrl })
    epson = await testUser(stack.fleet(), 'epson-engineer', 'vendor', { vendors: ['epson'] })
  })
  afterAll(async () => {
    await rig?.stop()
    await stack?.stop()
  })

  const asVendor = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${stack.fleet().httpUrl}${path}`, { headers: epson })).json()) as T

  it("reports the receipt printer as the registry's Epson TM-T20II, and the vendor sees only it", async () => {
    type Kiosks = { kiosks: { id: string; peripherals: Record<string, unknown>[] }[] }
    const seen = await waitFor('the demo printer at the fleet, online', async () => {
      const { kiosks } = await asVendor<Kiosks>('/api/kiosks')
      const printer = kiosks[0]?.peripherals[0]
      return (printer?.status as { state?: string } | null)?.state === 'online' ? kiosks : undefined
    })
    expect(seen.map((k) => k.id)).toEqual(['hx-tc-id-01'])
    expect(seen[0]?.peripherals).toEqual([
      expect.objectContaining({
        deviceId: 'receipt',
        vendor: 'Epson',
        vendorId: 'epson',
        model: 'TM-T20II',
        modelId: 'epson-tm-t20ii',
        hwRevision: 'M267A',
        firmware: '1.0.0',
      }),
    ])
    const health = await asVendor<{ models: Record<string, unknown>[] }>('/api/device-models/health')
    expect(health.models).toEqual([
      expect.objectContaining({ modelId: 'epson-tm-t20ii', devices: 1, firmware: [{ version: '1.0.0', devices: 1 }] }),
    ])
  })
})
