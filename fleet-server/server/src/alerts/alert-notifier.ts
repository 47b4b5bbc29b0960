import nodemailer, { type Transporter } from 'nodemailer'
import type { Logger } from 'pino'
import type { Queryable } from '../db/database.ts'
import type { AlertEvent, AlertRecord } from './alert-engine.ts'
import type { Severity } from './alert-rules.ts'

export interface NotifyRoute {
  /** Matches alerts of these departments (any when absent). */
  departments?: string[] | undefined
  /** …and of these sites (any when absent). */
  sites?: string[] | undefined
  minSeverity?: Severity | undefined
  webhook?: string | undefined
  email?: string[] | undefined
}

export interface NotifyConfig {
  routes: NotifyRoute[]
  smtp?:
    | {
        host: string
        port: number
        secure: boolean
        user?: string | undefined
        password?: string | undefined
        from: string
      }
    | undefined
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 }
const NOTIFY_KINDS = new Set<AlertEvent['kind']>(['raised', 'resolved'])

/** Routes that take an alert: by department and site of the kiosk, and by severity. */
export function routesFor(config: NotifyConfig, alert: AlertRecord): NotifyRoute[] {
  return config.routes.filter(
    (r) =>
      (r.departments === undefined || (alert.department !== null && r.departments.includes(alert.department))) &&
      (r.sites === undefined || (alert.siteId !== null && r.sites.includes(alert.siteId))) &&
      RANK[alert.severity] >= RANK[r.minSeverity ?? 'info'],
  )
}

const SUBJECT: Record<string, string> = { raised: '告警 Alert', resolved: '恢复 Resolved' }

/**
 * Sends raised and resolved alerts to webhooks (JSON POST) and by e-mail (SMTP), to the recipients
 * whose department/site route matches, and records every delivery on the alert.
 */
export class AlertNotifier {
  readonly #mail: Transporter | undefined

  constructor(
    private readonly config: NotifyConfig,
    private readonly db: Queryable,
    private readonly logger: Logger,
  ) {
    const smtp = config.smtp
    this.#mail =
      smtp === undefined
        ? undefined
        : nodemailer.createTransport({
            host: smtp.host,
            port: smtp.port,
            secure: smtp.secure,
            ...(smtp.user === undefined ? {} : { auth: { user: smtp.user, pass: smtp.password ?? '' } }),
          })
  }

  async notify(events: AlertEvent[]): Promise<void> {
    for (const event of events) {
      if (!NOTIFY_KINDS.has(event.kind)) continue
      for (const route of routesFor(this.config, event.alert)) {
        if (route.webhook !== undefined)
          await this.#deliver(event, 'webhook', route.webhook, () => this.#webhook(route.webhook as string, event))
        if (route.email !== undefined && route.email.length > 0) {
          await this.#deliver(event, 'email', route.email.join(','), () => this.#email(route.email as string[], event))
        }
      }
    }
  }

  close(): void {
    this.#mail?.close()
  }

  async #deliver(event: AlertEvent, channel: string, target: string, send: () => Promise<void>): Promise<void> {
    let error: string | undefined
    try {
      await send()
    } catch (err) {
      error = err instanceof Error ? err.message : String(err)
      this.logger.warn({ channel, target, alertId: event.alert.id, err: error }, 'alert notification failed')
    }
    const record = {
      kind: event.kind,
      channel,
      target,
      ok: error === undefined,
      at: new Date().toISOString(),
      ...(error ? { error } : {}),
    }
    await this.db.query('UPDATE alerts SET notifications = notifications || $2::jsonb WHERE id = $1', [
      event.alert.id,
      JSON.stringify([record]),
    ])
  }

  async #webhook(url: string, event: AlertEvent): Promise<void> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: event.kind, alert: event.alert }),
      signal: AbortSignal.timeout(5000),
    })
    if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`)
  }

  async #email(to: string[], event: AlertEvent): Promise<void> {
    const mail = this.#mail
    const smtp = this.config.smtp
    if (mail === undefined || smtp === undefined) throw new Error('no SMTP server configured (alerts.notify.smtp)')
    const a = event.alert
    await mail.sendMail({
      from: smtp.from,
      to,
      subject: `[${SUBJECT[event.kind] ?? event.kind}] ${a.kioskId} ${a.rule}${a.deviceId ? ` ${a.deviceId}` : ''}`,
      text: [
        `${a.message}`,
        '',
        `kiosk: ${a.kioskId}  site: ${a.siteId ?? '—'}  department: ${a.department ?? '—'}`,
        `severity: ${a.severity}  raised: ${a.raisedAt}${a.resolvedAt ? `  resolved: ${a.resolvedAt}` : ''}`,
      ].join('\n'),
    })
  }
}
