/** An audit log entry as `GET /api/audit` shows it (hash-chained: `prevHash` → `hash`). */
export interface AuditEntryView {
  seq: number
  ts: string
  actor: string
  role: string | null
  ip: string | null
  action: string
  target: string | null
  outcome: 'ok' | 'denied' | 'failed' | 'error' | 'timeout'
  details: Record<string, unknown>
  prevHash: string
  hash: string
}
