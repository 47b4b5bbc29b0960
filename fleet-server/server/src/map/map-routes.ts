import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MapSites } from '@kiosk-fleet/protocol/http'
import { Type } from '@sinclair/typebox'
import { principalOf, requirePermission } from '../auth/guard.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import type { ScopedCache } from '../views/scoped-cache.ts'
import { type SharedJson, sendJson } from '../views/send-json.ts'

export interface MapRoutesOptions {
  /** The sites of the caller's scope as MapSites JSON, shared per scope (views/shared-views.ts, map-sites.ts). */
  map: ScopedCache<SharedJson>
  /** `dashboard.tileDir` when the base map is `folder`: served under /tiles/. */
  tileDir?: string | undefined
}

/** Tile coordinates as numbers only: no path of the request ever reaches the file system. */
const TileParams = Type.Object({
  z: Type.String({ pattern: '^(1?[0-9]|20)$' }),
  x: Type.String({ pattern: '^[0-9]{1,7}$' }),
  file: Type.String({ pattern: '^[0-9]{1,7}\\.png$' }),
})

/**
 * `GET /api/map`: the sites of the caller's scope for the dashboard's site map (compact rows, status
 * now, in the base map's datum; sent as the JSON the view keeps, the
 * response schema documents it); `GET /tiles/{z}/{x}/{y}.png`: the offline tile folder's tiles.
 */
export const mapRoutes: FastifyPluginAsyncTypebox<MapRoutesOptions> = async (app, { map, tileDir }) => {
  app.get(
    '/api/map',
    {
      preValidation: requirePermission('readFleet'),
      schema: {
        summary: 'Sites with coordinates, kiosk counts and status (offline, fault, ok, closed, empty), as rows',
        response: { 200: MapSites },
      },
    },
    async (request, reply) => sendJson(request, reply, await map.get(principalOf(request))),
  )

  app.get(
    '/tiles/:z/:x/:file',
    { preValidation: requirePermission('readFleet'), schema: { hide: true, params: TileParams } },
    async (request, reply) => {
      if (tileDir === undefined) throw new FleetError(FleetErrorCodes.tileNotFound)
      const { z, x, file } = request.params
      const path = join(tileDir, String(Number(z)), String(Number(x)), `${Number(file.slice(0, -4))}.png`)
      const png = await readFile(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'EISDIR' || err.code === 'ENOTDIR') return undefined
        throw err
      })
      if (png === undefined) throw new FleetError(FleetErrorCodes.tileNotFound)
      return reply.type('image/png').header('cache-control', 'private, max-age=86400').send(png)
    },
  )
}
