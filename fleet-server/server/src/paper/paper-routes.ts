import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { HealthPayload } from '@kiosk-fleet/protocol'
import { PaperForecastList, PaperForecastQuery, type PaperForecastRow } from '@kiosk-fleet/protocol/http'
import { principalOf, requirePermission } from '../auth/guard.ts'
import { kioskScope } from '../auth/roles.ts'
import type { Database } from '../db/database.ts'
import { loadPaperBaselines, paperForecastsOf } from './paper-baselines.ts'
import { PAPER_COUNTERS } from './paper-forecast.ts'

export interface PaperRoutesOptions {
  db: Database
  now: () => number
}

const REMAINING_KEYS = Object.values(PAPER_COUNTERS).map((c) => c.remaining)

/**
 * `GET /api/paper-forecast`: the printers of the kiosks in the caller's scope (a vendor: its own
 * printers only) by days until their paper runs out, fewest first; `kioskId` for one kiosk's page.
 */
export const paperRoutes: FastifyPluginAsyncTypebox<PaperRoutesOptions> = async (app, { db, now }) => {
  app.get(
    '/api/paper-forecast',
    {
      preValidation: requirePermission('readFleet'),
      schema: {
        summary: 'Printers by days until their paper runs out (paper counters over the last week)',
        querystring: PaperForecastQuery,
        response: { 200: PaperForecastList },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const { kioskId, limit } = request.query
      const scope = kioskScope(principal, 1)
      const n = scope.params.length
      // Only kiosks whose latest health has a printer with a paper-left counter.
      const kiosks = await db.query<{
        id: string
        department: string | null
        site_id: string | null
        site_name: string | null
        last_health: HealthPayload
        peripherals: {
          deviceId: string
          deviceClass: string | null
          vendor: string | null
          vendorId: string | null
          model: string | null
        }[]
      }>(
        `SELECT k.id, k.department, k.site_id, st.name AS site_name, kh.last_health,
                coalesce((SELECT json_agg(json_build_object('deviceId', p.device_id, 'deviceClass', p.device_class,
                                                            'vendor', p.vendor, 'vendorId', p.vendor_id, 'model', p.model))
                          FROM peripherals p WHERE p.kiosk_id = k.id), '[]'::json) AS peripherals
         FROM kiosks k JOIN kiosk_health kh ON kh.kiosk_id = k.id LEFT JOIN sites st ON st.id = k.site_id
         WHERE (${scope.sql}) AND ($${n + 1}::text IS NULL OR k.id = $${n + 1})
           AND EXISTS (SELECT 1 FROM jsonb_array_elements(kh.last_health -> 'peripherals') AS hp
                       WHERE hp -> 'counters' ?| $${n + 2}::text[])`,
        [...scope.params, kioskId ?? null, REMAINING_KEYS],
      )
      const baselines = await loadPaperBaselines(
        db,
        kiosks.map((k) => k.id),
        now(),
      )
      const printers: PaperForecastRow[] = []
      for (const k of kiosks) {
        const forecasts = paperForecastsOf(k.last_health, baselines.get(k.id))
        for (const [deviceId, f] of Object.entries(forecasts)) {
          const p = k.peripherals.find((x) => x.deviceId === deviceId)
          // A vendor sees its own devices only (by vendor id), never another vendor's.
          if (principal.role === 'vendor' && (p?.vendorId == null || !principal.vendors.includes(p.vendorId))) continue
          printers.push({
            kioskId: k.id,
            site: k.site_id === null ? null : { id: k.site_id, name: k.site_name ?? k.site_id },
            department: k.department,
            deviceId,
            deviceClass: p?.deviceClass ?? null,
            vendor: p?.vendor ?? null,
            model: p?.model ?? null,
            kind: f.kind,
            unit: f.unit,
            paper: k.last_health.peripherals.find((x) => x.deviceId === deviceId)?.status.paper ?? null,
            remaining: f.remaining,
            usedPerDay: f.usedPerDay,
            daysLeft: f.daysLeft,
            emptyAt: f.emptyAt === null ? null : new Date(f.emptyAt).toISOString(),
          })
        }
      }
      const order = (d: number | null) => (d === null ? Number.POSITIVE_INFINITY : d)
      printers.sort(
        (a, b) =>
          order(a.daysLeft) - order(b.daysLeft) ||
          a.kioskId.localeCompare(b.kioskId) ||
          a.deviceId.localeCompare(b.deviceId),
      )
      return { printers: printers.slice(0, limit) }
    },
  )
}
