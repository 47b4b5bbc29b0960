import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody, KioskIdParams } from '@kiosk-fleet/protocol/http'
import { Type } from '@sinclair/typebox'
import type { AuditLog } from '../audit/audit-log.ts'
import { principalOf, requirePermission } from '../auth/guard.ts'
import type { ScreenshotStore } from '../commands/screenshot-store.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import type { KioskRepo } from './kiosk-repo.ts'

const ScreenshotView = Type.Object({
  transaction: Type.String(),
  takenAt: Type.String(),
  expiresAt: Type.String(),
  requestedBy: Type.Union([Type.String(), Type.Null()]),
  mimeType: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  bytes: Type.Integer(),
})

/**
 * The latest screenshot of a kiosk (taken with the `screenshot` command), for IT staff in scope
 * (`captureScreen`): what it is, and the picture itself. Every look at a picture is audited.
 */
export const screenshotRoutes: FastifyPluginAsyncTypebox<{
  kiosks: KioskRepo
  screenshots: ScreenshotStore
  audit: AuditLog
}> = async (app, { kiosks, screenshots, audit }) => {
  const find = async (id: string, principal: ReturnType<typeof principalOf>) => {
    if ((await kiosks.get(id, principal)) === undefined) {
      throw new FleetError(FleetErrorCodes.kioskNotFound, `no kiosk ${id}`)
    }
    const shot = await screenshots.latest(id)
    if (shot === undefined) throw new FleetError(FleetErrorCodes.screenshotNotFound, `no screenshot of kiosk ${id}`)
    return shot
  }

  app.get(
    '/api/kiosks/:id/screenshot',
    {
      preValidation: requirePermission('captureScreen'),
      schema: {
        summary: "The kiosk's latest screenshot: when it was taken, by whom, its size (the picture is at …/image)",
        params: KioskIdParams,
        response: { 200: ScreenshotView, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { image, ...view } = await find(request.params.id, principalOf(request))
      return { ...view, bytes: image.length }
    },
  )

  app.get(
    '/api/kiosks/:id/screenshot/image',
    {
      preValidation: requirePermission('captureScreen'),
      schema: {
        summary: "The kiosk's latest screenshot as an image (JPEG or PNG); each look is audited",
        params: KioskIdParams,
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const shot = await find(request.params.id, principal)
      await audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: 'screenshot.view',
        target: request.params.id,
        outcome: 'ok',
        details: { transaction: shot.transaction, takenAt: shot.takenAt },
      })
      return reply
        .header('content-type', shot.mimeType)
        .header('cache-control', 'no-store')
        .header('x-taken-at', shot.takenAt)
        .send(Buffer.from(shot.image))
    },
  )
}
