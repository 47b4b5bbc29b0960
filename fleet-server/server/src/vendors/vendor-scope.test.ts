import type { DeviceModelsHealthView } from '@kiosk-fleet/protocol/http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emptyBatch } from '../ingest/ingest-batch.ts'
import { IngestStore } from '../ingest/ingest-store.ts'
import { createRouteTestApp, type RouteTestApp } from '../route-test-app.ts'

// kiosk-a has a Synjones ID-card reader (`idcard`) and an Epson receipt printer (`receipt`); kiosk-b
// only an HP A4 printer. The vendor user is scoped to `epson` — the id its firmware is pushed under —
// and the kiosks report the display vendor `Epson`: it must see its printer and nothing else.
let t: RouteTestApp
const AT = 1_764_000_000_000

beforeAll(async () => {
  t = await createRouteTestApp({ clock: () => AT + 60_000 })
  const batch = emptyBatch()
  const statusEvent = (seq: number, deviceId: string, status: Record<string, string>) => ({
    kioskId: 'kiosk-a',
    type: 'device-status',
    payload: {
      seq,
      ts: AT + seq * 1000,
      deviceId,
      previous: { state: 'online' as const },
      status: status as never,
      urgent: true,
    },
    receivedAt: AT + seq * 1000,
  })
  // Both devices fail: the reader now (hardware error), the printer ran out of paper and was refilled.
  batch.events.push(statusEvent(10, 'idcard', { state: 'hardwareError', errorCode: 'samFault' }))
  batch.events.push(statusEvent(11, 'receipt', { state: 'userError', paper: 'out' }))
  batch.events.push(statusEvent(12, 'receipt', { state: 'online', paper: 'full' }))
  await new IngestStore(t.db).writeBatch(batch)
})
afterAll(async () => t.close())

/** Every `deviceId` and vendor name anywhere in a response body. */
function devicesNamed(body: unknown, found = { deviceIds: new Set<string>(), vendors: new Set<string>() }) {
  if (Array.isArray(body)) for (const item of body) devicesNamed(item, found)
  else if (typeof body === 'object' && body !== null) {
    for (const [key, value] of Object.entries(body)) {
      if (key === 'deviceId' && typeof value === 'string') found.deviceIds.add(value)
      else if ((key === 'vendor' || key === 'vendorId') && typeof value === 'string') found.vendors.add(value)
      else devicesNamed(value, found)
    }
  }
  return found
}

interface VendorRoute {
  url: string
  /** What the admin sees there (so an empty answer cannot pass for a scoped one). */
  adminSeesOthers: boolean
  /** kiosk-b is not the vendor's: its routes answer 404 as if it did not exist. */
  notFound?: boolean
}

/** Every route a vendor may read that shows kiosks, devices, health, events or alerts. */
const VENDOR_ROUTES: VendorRoute[] = [
  { url: '/api/kiosks', adminSeesOthers: true },
  { url: '/api/kiosks/kiosk-a', adminSeesOthers: true },
  { url: '/api/kiosks/kiosk-a/health', adminSeesOthers: true },
  { url: '/api/kiosks/kiosk-a/events', adminSeesOthers: true },
  { url: '/api/alerts?state=all', adminSeesOthers: false },
  { url: '/api/device-models/health', adminSeesOthers: true },
  { url: '/api/kiosks/kiosk-b', adminSeesOthers: true, notFound: true },
  { url: '/api/kiosks/kiosk-b/health', adminSeesOthers: false, notFound: true },
  { url: '/api/kiosks/kiosk-b/events', adminSeesOthers: false, notFound: true },
]

describe('a vendor sees only its own devices, on every route', () => {
  it.each(VENDOR_ROUTES)('$url', async ({ url, adminSeesOthers, notFound }) => {
    const get = (role: 'admin' | 'vendor') => t.app.inject({ url, headers: { cookie: t.cookies[role] } })
    const admin = await get('admin')
    expect(admin.statusCode).toBe(200)
    if (adminSeesOthers) {
      const all = devicesNamed(admin.json())
      expect([...all.deviceIds].some((d) => d !== 'receipt') || [...all.vendors].some((v) => !/epson/i.test(v))).toBe(
        true,
      )
    }
    const vendor = await get('vendor')
    if (notFound) {
      expect(vendor.statusCode).toBe(404)
      expect(vendor.json()).toMatchObject({ code: 'ERR_FLEET_KIOSK_NOT_FOUND' })
      return
    }
    expect(vendor.statusCode).toBe(200)
    const seen = devicesNamed(vendor.json())
    expect([...seen.deviceIds].filter((d) => d !== 'receipt')).toEqual([])
    expect([...seen.vendors].filter((v) => v !== 'Epson' && v !== 'epson')).toEqual([])
    // Its own printer is there, under the id its firmware is pushed with.
    expect(seen.deviceIds.has('receipt') || seen.vendors.has('epson')).toBe(true)
  })

  it("leaves the departments' business out of a vendor's health history", async () => {
    const response = await t.app.inject({ url: '/api/kiosks/kiosk-a/health', headers: { cookie: t.cookies.vendor } })
    const [snapshot] = response.json().history as { health: Record<string, unknown> }[]
    expect(snapshot?.health).toMatchObject({ peripherals: [{ deviceId: 'receipt' }] })
    expect(snapshot?.health).not.toHaveProperty('services')
    const kiosk = await t.app.inject({ url: '/api/kiosks/kiosk-a', headers: { cookie: t.cookies.vendor } })
    expect(kiosk.json().services).toEqual([])
  })

  it("counts only the vendor's own faults on the overview", async () => {
    const faulted = async (role: 'admin' | 'vendor') =>
      (await t.app.inject({ url: '/api/overview', headers: { cookie: t.cookies[role] } })).json().faulted as number
    // The ID-card reader's fault makes kiosk-a faulted for the admin; the vendor's printer is fine now.
    expect(await faulted('admin')).toBe(1)
    expect(await faulted('vendor')).toBe(0)
  })
})

describe('device model health across the fleet', () => {
  const health = async (role: 'admin' | 'vendor', query = '') =>
    t.app.inject({ url: `/api/device-models/health${query}`, headers: { cookie: t.cookies[role] } })

  it('gives a vendor its models: devices, faulty now, faults of the last 30 days by code, firmware', async () => {
    const response = await health('vendor')
    expect(response.statusCode).toBe(200)
    const view = response.json() as DeviceModelsHealthView
    expect(view.windowDays).toBe(30)
    expect(view.models).toEqual([
      {
        vendorId: 'epson',
        modelId: null,
        vendor: 'Epson',
        model: 'TM-T88VI',
        deviceClass: 'receiptPrinter',
        devices: 1,
        kiosks: 1,
        faultyNow: 0,
        faults: [{ code: 'paperOut', devices: 1, events: 1, rate: 1 }],
        firmware: [{ version: '30.01', devices: 1 }],
      },
    ])
  })

  it('shows an admin every model, and each fault by its code', async () => {
    const view = (await health('admin')).json() as DeviceModelsHealthView
    expect(view.models.map((m) => m.vendorId)).toEqual(['epson', 'hp', 'synjones'])
    const reader = view.models.find((m) => m.vendorId === 'synjones')
    expect(reader).toMatchObject({ faultyNow: 1, faults: [{ code: 'samFault', devices: 1, events: 1, rate: 1 }] })
    expect((await health('admin', '?vendor=hp')).json().models).toHaveLength(1)
  })

  it("refuses a vendor another vendor's models, and a vendor id that is not one", async () => {
    const other = await health('vendor', '?vendor=synjones')
    expect(other.statusCode).toBe(403)
    expect(other.json()).toMatchObject({ code: 'ERR_FLEET_FORBIDDEN' })
    const bad = await health('admin', '?vendor=Epson')
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ code: 'ERR_FLEET_BAD_REQUEST' })
  })
})
