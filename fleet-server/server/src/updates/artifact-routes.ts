import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  ArtifactKindSchema,
  ArtifactStatusSchema,
  ArtifactView,
  ErrorBody,
  ErrorBodyWithDetails,
} from '@kiosk-fleet/protocol/http'
import { Type } from '@sinclair/typebox'
import { principalOf, requirePermission } from '../auth/guard.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import type { ArtifactRepo } from './artifact-repo.ts'
import {
  APP_VERSION_PATTERN,
  ARTIFACT_VERSION_PATTERN,
  type ArtifactService,
  FILE_NAME_PATTERN,
} from './artifact-service.ts'

export interface ArtifactRoutesOptions {
  service: ArtifactService
  artifacts: ArtifactRepo
}

export const UPLOAD_CONTENT_TYPE = 'application/offset+octet-stream'

const Kind = ArtifactKindSchema
const Status = ArtifactStatusSchema
const Compatibility = Type.Object(
  {
    machineTypes: Type.Array(Type.String({ maxLength: 64 }), { default: [], maxItems: 20 }),
    hwRevisions: Type.Array(Type.String({ maxLength: 64 }), { default: [], maxItems: 50 }),
    minAppVersion: Type.Optional(Type.String({ pattern: APP_VERSION_PATTERN })),
  },
  { additionalProperties: false, default: {} },
)
const ArtifactId = Type.Object({ id: Type.String({ pattern: '^art_[0-9a-f]{1,64}$' }) })
const UploadId = Type.Object({ id: Type.String({ maxLength: 64 }) })
const Department = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' })

/**
 * Artifacts (docs/updates.md "HTTP API"): create, resumable upload (tus-style HEAD/PATCH with
 * Upload-Offset), vendor signing, approvals and revocation.
 */
export const artifactRoutes: FastifyPluginAsyncTypebox<ArtifactRoutesOptions> = async (app, { service, artifacts }) => {
  // The PATCH body is streamed to the spool file by the handler, never buffered.
  app.addContentTypeParser(UPLOAD_CONTENT_TYPE, (_request, payload, done) => done(null, payload))

  const actor = (request: Parameters<typeof principalOf>[0]) => ({ principal: principalOf(request), ip: request.ip })

  app.post(
    '/api/artifacts',
    {
      preValidation: requirePermission('pushArtifacts'),
      schema: {
        summary:
          "Announce an artifact (app release, firmware, config or a department's catalogue bundle) and open its resumable upload",
        body: Type.Object(
          {
            kind: Kind,
            version: Type.String({ pattern: ARTIFACT_VERSION_PATTERN }),
            vendor: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' })),
            department: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{1,31}$' })),
            deviceModel: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,127}$' })),
            fileName: Type.String({ pattern: FILE_NAME_PATTERN }),
            length: Type.Integer({ minimum: 1 }),
            sha256: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }),
            compatibility: Compatibility,
            notes: Type.Optional(Type.String({ maxLength: 4000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            artifact: ArtifactView,
            upload: Type.Object({
              id: Type.String(),
              offset: Type.Integer(),
              length: Type.Integer(),
              expiresAt: Type.String(),
            }),
          }),
          400: ErrorBody,
          403: ErrorBody,
          409: ErrorBody,
          413: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { artifact, upload } = await service.create(actor(request), request.body)
      reply.header('location', `/api/uploads/${upload.id}`)
      return reply.code(201).send({
        artifact,
        upload: {
          id: upload.id,
          offset: upload.receivedLength,
          length: upload.totalLength,
          expiresAt: upload.expiresAt,
        },
      })
    },
  )

  app.get(
    '/api/artifacts',
    {
      preValidation: requirePermission('readFleet'),
      schema: {
        summary: 'Artifacts, newest first (vendor users: their vendors only)',
        querystring: Type.Object({
          kind: Type.Optional(Kind),
          status: Type.Optional(Status),
          deviceModel: Type.Optional(Type.String()),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
        }),
        response: { 200: Type.Object({ artifacts: Type.Array(ArtifactView) }) },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const q = request.query
      return {
        artifacts: await artifacts.list({
          vendors: principal.role === 'vendor' ? principal.vendors : undefined,
          kind: q.kind,
          status: q.status as 'ready' | undefined,
          deviceModel: q.deviceModel,
          limit: q.limit,
        }),
      }
    },
  )

  app.get(
    '/api/artifacts/:id',
    {
      preValidation: requirePermission('readFleet'),
      schema: {
        summary: 'One artifact with its approvals and upload progress',
        params: ArtifactId,
        response: {
          200: Type.Composite([
            ArtifactView,
            Type.Object({
              upload: Type.Union([
                Type.Object({
                  id: Type.String(),
                  offset: Type.Integer(),
                  length: Type.Integer(),
                  expiresAt: Type.String(),
                }),
                Type.Null(),
              ]),
            }),
          ]),
          404: ErrorBody,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const artifact = await service.get(principal, request.params.id)
      const upload = await artifacts.uploadOf(artifact.id)
      const showUpload =
        upload !== undefined &&
        upload.completedAt === null &&
        (upload.createdBy === principal.userId || principal.role === 'admin')
      return {
        ...artifact,
        upload: showUpload
          ? { id: upload.id, offset: upload.receivedLength, length: upload.totalLength, expiresAt: upload.expiresAt }
          : null,
      }
    },
  )

  app.head(
    '/api/uploads/:id',
    {
      preValidation: requirePermission('pushArtifacts'),
      schema: { summary: 'Upload progress: Upload-Offset and Upload-Length headers', params: UploadId },
    },
    async (request, reply) => {
      const upload = await service.uploadFor(principalOf(request), request.params.id)
      reply.header('upload-offset', upload.receivedLength)
      reply.header('upload-length', upload.totalLength)
      reply.header('upload-expires', new Date(upload.expiresAt).toUTCString())
      reply.header('cache-control', 'no-store')
      return reply.code(200).send()
    },
  )

  app.patch(
    '/api/uploads/:id',
    {
      preValidation: requirePermission('pushArtifacts'),
      schema: {
        summary: 'Append bytes at Upload-Offset (body application/offset+octet-stream)',
        params: UploadId,
        headers: Type.Object({ 'upload-offset': Type.Optional(Type.String()) }),
        response: {
          204: Type.Null(),
          409: ErrorBodyWithDetails,
          400: ErrorBody,
          404: ErrorBody,
          410: ErrorBody,
          413: ErrorBodyWithDetails,
          415: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const contentType = request.headers['content-type']?.split(';')[0]?.trim()
      if (contentType !== UPLOAD_CONTENT_TYPE) {
        throw new FleetError(FleetErrorCodes.uploadContentType, `send the bytes as ${UPLOAD_CONTENT_TYPE}`)
      }
      const header = request.headers['upload-offset']
      const offset = header !== undefined && /^\d{1,15}$/.test(header) ? Number(header) : Number.NaN
      if (!Number.isSafeInteger(offset)) {
        throw new FleetError(FleetErrorCodes.badRequest, 'Upload-Offset header (bytes already sent) is required')
      }
      try {
        const result = await service.patch(actor(request), request.params.id, offset, request.raw)
        reply.header('upload-offset', result.offset)
        if (result.status !== undefined) reply.header('artifact-status', result.status)
        return reply.code(204).send(null)
      } catch (error) {
        if (error instanceof FleetError) {
          const details = error.details as { offset?: number } | undefined
          if (details?.offset !== undefined) reply.header('upload-offset', details.offset)
        }
        throw error
      }
    },
  )

  app.get(
    '/api/artifacts/:id/signing-request',
    {
      preValidation: requirePermission('pushArtifacts'),
      schema: {
        summary: "The vendor role's next targets metadata with this artifact, unsigned (sign it locally)",
        params: ArtifactId,
        response: {
          200: Type.Object({ role: Type.String(), version: Type.Integer(), metadata: Type.Unknown() }),
          404: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (request) => service.signingRequest(actor(request), request.params.id),
  )

  app.post(
    '/api/artifacts/:id/signatures',
    {
      preValidation: requirePermission('pushArtifacts'),
      schema: {
        summary: "The vendor's signatures over the signing request: published, the artifact becomes ready",
        params: ArtifactId,
        body: Type.Object(
          {
            signatures: Type.Optional(
              Type.Array(
                Type.Object(
                  {
                    keyid: Type.String({ pattern: '^[0-9a-f]{64}$' }),
                    sig: Type.String({ pattern: '^[0-9a-f]{1,1024}$' }),
                  },
                  { additionalProperties: false },
                ),
                { minItems: 1, maxItems: 20 },
              ),
            ),
            /** Alternatively the whole signed document `{signed, signatures}`. */
            metadata: Type.Optional(Type.Unknown()),
          },
          { additionalProperties: false },
        ),
        response: { 200: ArtifactView, 404: ErrorBody, 409: ErrorBodyWithDetails, 422: ErrorBodyWithDetails },
      },
    },
    async (request) => {
      if (request.body.signatures === undefined && request.body.metadata === undefined) {
        throw new FleetError(FleetErrorCodes.badRequest, 'send signatures (or the signed metadata)')
      }
      return service.submitSignatures(actor(request), request.params.id, request.body)
    },
  )

  app.post(
    '/api/artifacts/:id/approvals',
    {
      preValidation: requirePermission('approveArtifacts'),
      schema: {
        summary: "Approve the artifact for a department's kiosks",
        params: ArtifactId,
        body: Type.Object({ department: Department }, { additionalProperties: false }),
        response: { 200: ArtifactView, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
      config: {
        // An admin's department is checked here; a department user's is refused unless it is one of
        // their own (ERR_FLEET_DEPARTMENT_FORBIDDEN), and their scope names only known departments.
        knownNames: (request) => ({
          departments: request.principal?.role === 'admin' ? [(request.body as { department: string }).department] : [],
        }),
      },
    },
    async (request) => service.approve(actor(request), request.params.id, request.body.department),
  )

  app.delete(
    '/api/artifacts/:id/approvals/:department',
    {
      preValidation: requirePermission('approveArtifacts'),
      schema: {
        summary: "Withdraw a department's approval",
        params: Type.Object({ id: ArtifactId.properties.id, department: Department }),
        response: { 200: ArtifactView, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => service.withdrawApproval(actor(request), request.params.id, request.params.department),
  )

  app.post(
    '/api/artifacts/:id/revoke',
    {
      preValidation: requirePermission('manageUpdateRepository'),
      schema: {
        summary: 'Revoke an artifact: no rollout may use it any more',
        params: ArtifactId,
        body: Type.Optional(
          Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }),
        ),
        response: { 200: ArtifactView, 404: ErrorBody },
      },
    },
    async (request) => service.revoke(actor(request), request.params.id, request.body?.reason ?? 'revoked'),
  )
}
