import { type Static, Type } from '@sinclair/typebox'
import { ARTIFACT_KINDS, ARTIFACT_STATUSES } from './vocabularies.ts'

export const ArtifactKindSchema = Type.Union(ARTIFACT_KINDS.map((k) => Type.Literal(k)))
export const ArtifactStatusSchema = Type.Union(ARTIFACT_STATUSES.map((s) => Type.Literal(s)))

export const ArtifactApprovalView = Type.Object({
  department: Type.String(),
  approvedBy: Type.String(),
  approvedAt: Type.String(),
})
export type ArtifactApprovalView = Static<typeof ArtifactApprovalView>

/** An artifact as `GET /api/artifacts…` shows it (docs/updates.md "HTTP API"). */
export const ArtifactView = Type.Object({
  id: Type.String(),
  kind: ArtifactKindSchema,
  version: Type.String(),
  vendor: Type.Union([Type.String(), Type.Null()]),
  /** The department whose catalogue bundle this is (kind `catalogue`); null otherwise. */
  department: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  deviceModel: Type.Union([Type.String(), Type.Null()]),
  deviceClass: Type.Union([Type.String(), Type.Null()]),
  targetPath: Type.String(),
  sha256: Type.Union([Type.String(), Type.Null()]),
  length: Type.Union([Type.Number(), Type.Null()]),
  compatibility: Type.Object({
    machineTypes: Type.Array(Type.String()),
    hwRevisions: Type.Array(Type.String()),
    minAppVersion: Type.Optional(Type.String()),
  }),
  notes: Type.String(),
  status: ArtifactStatusSchema,
  statusReason: Type.Union([Type.String(), Type.Null()]),
  uploadedBy: Type.String(),
  createdAt: Type.String(),
  readyAt: Type.Union([Type.String(), Type.Null()]),
  approvals: Type.Optional(Type.Array(ArtifactApprovalView)),
})
export type ArtifactView = Static<typeof ArtifactView>
