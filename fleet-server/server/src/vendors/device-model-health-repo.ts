import type { DeviceModelHealth, DeviceModelsHealthView } from '@kiosk-fleet/protocol/http'
import { kioskScope, type Principal } from '../auth/roles.ts'
import type { Queryable } from '../db/database.ts'

/** A peripheral status that needs someone (as the overview counts it): `s` is the status jsonb. */
const FAULTY = (s: string) => `(${s}->>'state' IN ('hardwareError', 'noDevice', 'offline', 'powerOff', 'userError')
  OR ${s}->>'paper' IN ('out', 'jammed') OR ${s}->>'cover' = 'open')`

/** A fault's code: the device's own error code, else what is wrong (paper, cover), else the state. */
const FAULT_CODE = (s: string) => `CASE WHEN NOT coalesce(${FAULTY(s)}, false) THEN NULL
  WHEN ${s}->>'errorCode' IS NOT NULL THEN ${s}->>'errorCode'
  WHEN ${s}->>'paper' = 'out' THEN 'paperOut' WHEN ${s}->>'paper' = 'jammed' THEN 'paperJammed'
  WHEN ${s}->>'cover' = 'open' THEN 'coverOpen' ELSE ${s}->>'state' END`

/** One model: its registry id, or — for devices reported without one — its display vendor and model. */
const MODEL_KEY = `coalesce(p.model_id, 'display:' || coalesce(p.vendor, '') || '/' || coalesce(p.model, ''))`

/**
 * Devices of each model in a principal's scope; a vendor's only its own (`vendors`, already checked
 * against the principal), everyone else's optionally narrowed to `vendors`.
 */
function devicesInScope(principal: Principal, vendors: string[] | undefined) {
  const scope = kioskScope(principal, 1)
  const params: unknown[] = [...scope.params]
  let sql = `SELECT ${MODEL_KEY} AS key, p.kiosk_id, p.device_id, p.vendor_id, p.model_id, p.vendor, p.model,
                    p.device_class, p.firmware, coalesce(${FAULTY('p.status')}, false) AS faulty
             FROM peripherals p JOIN kiosks k ON k.id = p.kiosk_id WHERE ${scope.sql}`
  if (vendors !== undefined) {
    params.push(vendors)
    sql += ` AND p.vendor_id = ANY($${params.length}::text[])`
  }
  return { sql, params }
}

/** The per-model health and failure figures of `GET /api/device-models/health`. */
export class DeviceModelHealthRepo {
  constructor(private readonly db: Queryable) {}

  async models(
    principal: Principal,
    options: { vendors: string[] | undefined; since: Date; windowDays: number },
  ): Promise<DeviceModelsHealthView> {
    const devices = devicesInScope(principal, options.vendors)
    const sinceParam = devices.params.length + 1
    const [models, firmware, faults] = await Promise.all([
      this.db.query<{
        key: string
        vendor_id: string | null
        model_id: string | null
        vendor: string | null
        model: string | null
        device_class: string | null
        devices: number
        kiosks: number
        faulty_now: number
      }>(
        `WITH d AS (${devices.sql})
         SELECT key, min(vendor_id) AS vendor_id, min(model_id) AS model_id, min(vendor) AS vendor, min(model) AS model,
                min(device_class) AS device_class, count(*)::int AS devices,
                count(DISTINCT kiosk_id)::int AS kiosks, count(*) FILTER (WHERE faulty)::int AS faulty_now
         FROM d GROUP BY key ORDER BY min(vendor_id), key`,
        devices.params,
      ),
      this.db.query<{ key: string; firmware: string | null; devices: number }>(
        `WITH d AS (${devices.sql})
         SELECT key, firmware, count(*)::int AS devices FROM d GROUP BY key, firmware
         ORDER BY count(*) DESC, firmware`,
        devices.params,
      ),
      // Each status change into a fault is one report; the device is the one on that kiosk now.
      this.db.query<{ key: string; code: string; devices: number; events: number }>(
        `WITH d AS (${devices.sql})
         SELECT d.key, f.code, count(DISTINCT d.kiosk_id || '/' || d.device_id)::int AS devices, count(*)::int AS events
         FROM kiosk_events e
         JOIN d ON d.kiosk_id = e.kiosk_id AND d.device_id = e.device_id
         CROSS JOIN LATERAL (SELECT ${FAULT_CODE("(e.body->'status')")} AS code) f
         WHERE e.ts >= $${sinceParam}::timestamptz AND e.body ? 'status' AND f.code IS NOT NULL
         GROUP BY d.key, f.code ORDER BY count(DISTINCT d.kiosk_id || '/' || d.device_id) DESC, f.code`,
        [...devices.params, options.since.toISOString()],
      ),
    ])
    const views = new Map<string, DeviceModelHealth>()
    for (const m of models) {
      views.set(m.key, {
        vendorId: m.vendor_id,
        modelId: m.model_id,
        vendor: m.vendor,
        model: m.model,
        deviceClass: m.device_class,
        devices: m.devices,
        kiosks: m.kiosks,
        faultyNow: m.faulty_now,
        faults: [],
        firmware: [],
      })
    }
    for (const f of firmware) views.get(f.key)?.firmware.push({ version: f.firmware, devices: f.devices })
    for (const f of faults) {
      const view = views.get(f.key)
      if (view === undefined) continue
      view.faults.push({ code: f.code, devices: f.devices, events: f.events, rate: f.devices / view.devices })
    }
    return { windowDays: options.windowDays, since: options.since.toISOString(), models: [...views.values()] }
  }
}
