import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody } from '@kiosk-fleet/protocol/http'
import { Type } from '@sinclair/typebox'
import { principalOf, requirePermission } from '../auth/guard.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import type { ArtifactRepo } from './artifact-repo.ts'
import type { ArtifactService } from './artifact-service.ts'
import type { TargetBlobDirectory } from './database-metadata-store.ts'
import type { TufMetadataStore } from './metadata-store.ts'

export interface UpdateRepoRoutesOptions {
  store: TufMetadataStore
  blobs: TargetBlobDirectory
  service: ArtifactService
  artifacts: ArtifactRepo
  /** Why the repository is not there, or undefined when it is. */
  notInitialised: () => string | undefined
}

/**
 * Only published files: `timestamp.json`, `N.root.json`, `N.snapshot.json`, `N.targets.json`, and the
 * delegated roles `N.vendor-x.json`, `N.department-x.json`.
 */
const PUBLISHED_METADATA =
  /^(timestamp|(\d+\.)?(root|snapshot|targets|(vendor|department)-[a-z0-9][a-z0-9-]{0,62}))\.json$/

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; undefined = whole file, 'unsatisfiable' = 416. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  // Several ranges or another unit: answering with the whole file is allowed (RFC 9110 §14.2).
  if (match === null) return undefined
  const [, from = '', to = ''] = match
  if (from === '' && to === '') return undefined
  if (from === '') {
    const suffix = Number(to)
    if (suffix === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(from)
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1)
  if (start >= size || end < start) return 'unsatisfiable'
  return { start, end }
}

const VendorBody = Type.Object(
  {
    id: Type.String({
      pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
      description: 'the registry vendor id (first segment of model ids)',
    }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    publicKeys: Type.Array(
      Type.Object(
        {
          keytype: Type.Literal('ed25519'),
          scheme: Type.Literal('ed25519'),
          keyval: Type.Object({ public: Type.String({ pattern: '^[0-9a-f]{64}$' }) }, { additionalProperties: false }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 20 },
    ),
    threshold: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
)

const VendorIdParams = Type.Object({ id: VendorBody.properties.id })

const Signatures = Type.Array(
  Type.Object(
    { keyid: Type.String({ pattern: '^[0-9a-f]{64}$' }), sig: Type.String({ pattern: '^[0-9a-f]{1,1024}$' }) },
    { additionalProperties: false },
  ),
  { minItems: 1, maxItems: 20 },
)

const VendorView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  publicKeys: Type.Record(Type.String(), Type.Unknown()),
  threshold: Type.Integer(),
  createdAt: Type.String(),
})

/**
 * The TUF repository over HTTP for kiosks (no login: the signatures protect the files) and the
 * registration of vendors' delegated roles (admin).
 */
export const updateRepoRoutes: FastifyPluginAsyncTypebox<UpdateRepoRoutesOptions> = async (app, options) => {
  const { store, blobs, service, artifacts } = options

  app.get(
    '/updates/metadata/:name',
    {
      schema: {
        summary: 'A published TUF metadata file (root, timestamp, snapshot, targets, vendor roles)',
        params: Type.Object({ name: Type.String({ maxLength: 120 }) }),
        security: [],
      },
    },
    async (request, reply) => {
      const reason = options.notInitialised()
      if (reason !== undefined) throw new FleetError(FleetErrorCodes.updatesNotInitialised, reason)
      const { name } = request.params
      const body = PUBLISHED_METADATA.test(name) ? await store.readMetadata(name) : undefined
      if (body === undefined) {
        throw new FleetError(FleetErrorCodes.metadataNotFound, `no metadata ${name}`)
      }
      // Versioned files never change; the unversioned ones (timestamp above all) must be re-read.
      reply.header('cache-control', /^\d+\./.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache')
      return reply.type('application/json; charset=utf-8').send(body)
    },
  )

  app.get(
    '/updates/targets/*',
    {
      schema: {
        summary: 'A target file by its hash-prefixed path; supports Range for resumed downloads',
        params: Type.Object({ '*': Type.String() }),
        security: [],
      },
    },
    async (request, reply) => {
      const path = request.params['*']
      const notFound = () => {
        throw new FleetError(FleetErrorCodes.targetNotFound, `no target ${path}`)
      }
      let file: string
      try {
        file = blobs.fileOf(path)
      } catch {
        return notFound()
      }
      const info = await stat(file).catch(() => undefined)
      if (info === undefined || !info.isFile()) return notFound()
      const size = info.size
      reply.header('accept-ranges', 'bytes')
      reply.header('cache-control', 'public, max-age=31536000, immutable')
      reply.type('application/octet-stream')
      const range = parseRange(request.headers.range, size)
      if (range === 'unsatisfiable') {
        reply.header('content-range', `bytes */${size}`)
        throw new FleetError(FleetErrorCodes.rangeNotSatisfiable, `range outside 0-${size - 1}`)
      }
      if (range === undefined) {
        reply.header('content-length', size)
        return reply.send(size === 0 ? '' : createReadStream(file))
      }
      reply.code(206)
      reply.header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      reply.header('content-length', range.end - range.start + 1)
      return reply.send(createReadStream(file, { start: range.start, end: range.end }))
    },
  )

  app.get(
    '/api/update-vendors',
    {
      preValidation: requirePermission('readFleet'),
      schema: {
        summary: 'Vendors with a delegated TUF role: their public keys and threshold',
        response: { 200: Type.Object({ vendors: Type.Array(VendorView) }) },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const all = await artifacts.listVendors()
      return { vendors: principal.role === 'vendor' ? all.filter((v) => principal.vendors.includes(v.id)) : all }
    },
  )

  app.post(
    '/api/update-vendors',
    {
      preValidation: requirePermission('manageUpdateRepository'),
      schema: {
        summary: "Register a vendor's delegated role, or rotate its keys and threshold",
        body: VendorBody,
        response: { 200: VendorView, 400: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => service.registerVendor({ principal: principalOf(request), ip: request.ip }, request.body),
  )

  app.get(
    '/api/update-vendors/:id/signing-request',
    {
      preValidation: requirePermission('pushArtifacts'),
      schema: {
        summary: "The vendor role's next version to re-sign: a year more, its revoked files taken out",
        params: VendorIdParams,
        response: {
          200: Type.Object({
            role: Type.String(),
            version: Type.Integer(),
            dropped: Type.Array(Type.String()),
            metadata: Type.Object({ signed: Type.Unknown(), signatures: Type.Array(Type.Unknown()) }),
          }),
          403: ErrorBody,
          422: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request) =>
      service.vendorResignRequest({ principal: principalOf(request), ip: request.ip }, request.params.id),
  )

  app.post(
    '/api/update-vendors/:id/signatures',
    {
      preValidation: requirePermission('pushArtifacts'),
      schema: {
        summary: "The vendor's signatures over its re-sign request: the role is published",
        params: VendorIdParams,
        body: Type.Object({ signatures: Signatures }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            role: Type.String(),
            version: Type.Integer(),
            expires: Type.String(),
            dropped: Type.Array(Type.String()),
          }),
          403: ErrorBody,
          409: ErrorBody,
          422: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request) =>
      service.submitVendorResign({ principal: principalOf(request), ip: request.ip }, request.params.id, request.body),
  )

  const DepartmentBody = Type.Object(
    {
      ...VendorBody.properties,
      id: Type.String({ pattern: '^[a-z][a-z0-9-]{1,31}$', description: 'the department id the catalogue uses' }),
    },
    { additionalProperties: false },
  )
  const DepartmentIdParams = Type.Object({ id: DepartmentBody.properties.id })

  app.get(
    '/api/update-departments',
    {
      preValidation: requirePermission('readFleet'),
      schema: {
        summary: 'Departments with a delegated TUF role for their catalogue bundles: public keys and threshold',
        response: { 200: Type.Object({ departments: Type.Array(VendorView) }) },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const all = await artifacts.listVendors('department')
      return {
        departments: principal.role === 'department' ? all.filter((d) => principal.departments.includes(d.id)) : all,
      }
    },
  )

  app.post(
    '/api/update-departments',
    {
      preValidation: requirePermission('manageUpdateRepository'),
      // A mistyped department would get a role no bundle of the real one ever matches.
      config: { knownNames: (request) => ({ departments: [(request.body as { id: string }).id] }) },
      schema: {
        summary: "Register a department's delegated role (signs catalogue/<id>/*), or rotate its keys and threshold",
        body: DepartmentBody,
        response: { 200: VendorView, 400: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) =>
      service.registerVendor({ principal: principalOf(request), ip: request.ip }, request.body, 'department'),
  )

  app.get(
    '/api/update-departments/:id/signing-request',
    {
      preValidation: requirePermission('pushArtifacts'),
      schema: {
        summary: "The department role's next version to re-sign: a year more, its revoked bundles taken out",
        params: DepartmentIdParams,
        response: {
          200: Type.Object({
            role: Type.String(),
            version: Type.Integer(),
            dropped: Type.Array(Type.String()),
            metadata: Type.Object({ signed: Type.Unknown(), signatures: Type.Array(Type.Unknown()) }),
          }),
          403: ErrorBody,
          422: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request) =>
      service.vendorResignRequest(
        { principal: principalOf(request), ip: request.ip },
        { kind: 'department', id: request.params.id },
      ),
  )

  app.post(
    '/api/update-departments/:id/signatures',
    {
      preValidation: requirePermission('pushArtifacts'),
      schema: {
        summary: "The department's signatures over its re-sign request: the role is published",
        params: DepartmentIdParams,
        body: Type.Object({ signatures: Signatures }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            role: Type.String(),
            version: Type.Integer(),
            expires: Type.String(),
            dropped: Type.Array(Type.String()),
          }),
          403: ErrorBody,
          409: ErrorBody,
          422: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request) =>
      service.submitVendorResign(
        { principal: principalOf(request), ip: request.ip },
        { kind: 'department', id: request.params.id },
        request.body,
      ),
  )

  app.post(
    '/api/update-repository/root',
    {
      preValidation: requirePermission('manageUpdateRepository'),
      schema: {
        summary:
          'Publish the next root version, signed offline (root-keys-cli sign-root): renewal or root key rotation',
        body: Type.Object({
          signed: Type.Object({}, { additionalProperties: true }),
          signatures: Type.Array(Type.Unknown()),
        }),
        response: {
          200: Type.Object({ version: Type.Integer(), expires: Type.String() }),
          400: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request) => service.updateRoot({ principal: principalOf(request), ip: request.ip }, request.body),
  )
}
