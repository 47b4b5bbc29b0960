import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { principalOf, requirePermission } from '../auth/guard.ts'
import type { AuditEntry, AuditFilter, AuditLog, AuditRecord } from './audit-log.ts'

const csvCell = (v: unknown) => {
  const text = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v)
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}
const CSV_COLUMNS: (keyof AuditRecord)[] = [
  'seq',
  'ts',
  'actor',
  'role',
  'ip',
  'action',
  'target',
  'outcome',
  'details',
  'prevHash',
  'hash',
]

const Filter = {
  actor: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'exact, or a prefix ending in *' })),
  target: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  outcome: Type.Optional(
    Type.Union(['ok', 'denied', 'failed', 'error', 'timeout'].map((o) => Type.Literal(o as AuditEntry['outcome']))),
  ),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'inclusive' })),
  until: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive' })),
  q: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'free text in actor, action, target, address, details' }),
  ),
}
type FilterQuery = { [K in keyof typeof Filter]?: string }

const filterOf = (query: FilterQuery): AuditFilter => ({
  actor: query.actor,
  action: query.action,
  target: query.target,
  outcome: query.outcome as AuditFilter['outcome'],
  since: query.since,
  until: query.until,
  text: query.q,
})

export const auditRoutes: FastifyPluginAsyncTypebox<{ audit: AuditLog }> = async (app, { audit }) => {
  app.get(
    '/api/audit',
    {
      preValidation: requirePermission('readAudit'),
      schema: {
        summary: 'Search the audit log, newest first: one page and how many entries match in all',
        querystring: Type.Object({
          ...Filter,
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          offset: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 }),
          before: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
      },
    },
    async (request) => {
      const { limit, offset, before } = request.query
      const { entries, total } = await audit.search(
        { ...filterOf(request.query), beforeSeq: before },
        { limit, offset },
      )
      return { entries, total, limit, offset }
    },
  )

  app.get(
    '/api/audit/verify',
    { preValidation: requirePermission('readAudit'), schema: { summary: 'Recompute the hash chain' } },
    async () => audit.verify(),
  )

  app.get(
    '/api/audit/export',
    {
      preValidation: requirePermission('readAudit'),
      schema: {
        summary:
          'The matching entries (the whole log without filters), oldest first, as JSON lines or CSV (the export itself is audited)',
        querystring: Type.Object({
          ...Filter,
          format: Type.Union([Type.Literal('jsonl'), Type.Literal('csv')], { default: 'jsonl' }),
        }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const { format, ...query } = request.query
      const filter = filterOf(query)
      await audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: 'audit.export',
        outcome: 'ok',
        details: { format, ...query },
      })
      const lines: string[] = format === 'csv' ? [CSV_COLUMNS.join(',')] : []
      for await (const record of audit.all(undefined, 1000, filter)) {
        lines.push(format === 'csv' ? CSV_COLUMNS.map((c) => csvCell(record[c])).join(',') : JSON.stringify(record))
      }
      reply.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      reply.header('content-disposition', `attachment; filename="audit.${format}"`)
      return `${lines.join('\n')}\n`
    },
  )
}
