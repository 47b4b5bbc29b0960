import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { principalOf, requirePermission } from '../auth/guard.ts'
import type { AuditLog, AuditRecord } from './audit-log.ts'

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

export const auditRoutes: FastifyPluginAsyncTypebox<{ audit: AuditLog }> = async (app, { audit }) => {
  app.get(
    '/api/audit',
    {
      preValidation: requirePermission('readAudit'),
      schema: {
        summary: 'Audit log, newest first',
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          before: Type.Optional(Type.Integer({ minimum: 1 })),
          actor: Type.Optional(Type.String()),
          action: Type.Optional(Type.String()),
        }),
      },
    },
    async (request) => ({
      entries: await audit.list({
        limit: request.query.limit,
        beforeSeq: request.query.before,
        actor: request.query.actor,
        action: request.query.action,
      }),
    }),
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
        summary: 'The whole log, oldest first, as JSON lines or CSV (the export itself is audited)',
        querystring: Type.Object({
          format: Type.Union([Type.Literal('jsonl'), Type.Literal('csv')], { default: 'jsonl' }),
        }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const { format } = request.query
      await audit.append({
        actor: principal.userId,
        role: principal.role,
        ip: request.ip,
        action: 'audit.export',
        outcome: 'ok',
        details: { format },
      })
      const lines: string[] = format === 'csv' ? [CSV_COLUMNS.join(',')] : []
      for await (const record of audit.all()) {
        lines.push(format === 'csv' ? CSV_COLUMNS.map((c) => csvCell(record[c])).join(',') : JSON.stringify(record))
      }
      reply.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      reply.header('content-disposition', `attachment; filename="audit.${format}"`)
      return `${lines.join('\n')}\n`
    },
  )
}
