import nodemailer, { type Transporter } from 'nodemailer'
import type { Logger } from 'pino'
import type { Queryable } from '../db/database.ts'
import type { NotifyRoute, NotifySettings } from './alert-config.ts'
import { type AlertEvent, type AlertRecord, toAlertRecord } from './alert-engine.ts'
import type { Severity } from './alert-rules.ts'
import {
  type AlertNotification,
  type Fetch,
  linesOf,
  newDeliveryId,
  sendDingTalk,
  sendWebhook,
  sendWeCom,
  subjectOf,
  withRetry,
} from './notify-channels.ts'

export type { NotifyRoute } from './alert-config.ts'

export interface SmtpConfig {
  host: string
  port: number
  secure: boolean
  user?: string | undefined
  password?: string | undefined
  from: string
}

/** The whole notify section (settings plus SMTP); kept for callers that build one by hand. */
export type NotifyConfig = Partial<NotifySettings> & { routes: NotifyRoute[]; smtp?: SmtpConfig | undefined }

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 }
const NOTIFY_KINDS = new Set<AlertEvent['kind']>(['raised', 'resolved'])
const DEFAULT_RETRY = { attempts: 6, baseDelayMs: 1000, maxDelayMs: 60_000 }

/** Routes that take an alert: by department and site of the kiosk, and by severity. */
export function routesFor(config: { routes: NotifyRoute[] }, alert: AlertRecord): NotifyRoute[] {
  return config.routes.filter((r) => routeTakes(r, alert))
}

function routeTakes(r: NotifyRoute, alert: AlertRecord): boolean {
  return (
    (r.departments === undefined || (alert.department !== null && r.departments.includes(alert.department))) &&
    (r.sites === undefined || (alert.siteId !== null && r.sites.includes(alert.siteId))) &&
    RANK[alert.severity] >= RANK[r.minSeverity ?? 'info']
  )
}

export interface AlertNotifierOptions {
  /** The settings in force (notify-settings.ts reads the runtime row, else the config file). */
  settings: () => Promise<NotifyConfig>
  smtp?: SmtpConfig | undefined
  db: Queryable
  logger: Logger
  fetch?: Fetch
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

/** Deliveries by channel (`webhook`, `wecom`, `dingtalk`, `email`) and outcome. */
export interface NotificationStats {
  sent: Record<string, number>
  failed: Record<string, number>
}

/**
 * Sends raised and resolved alerts, grouped per rule, site and department (alerts raised within
 * `groupWaitMs` of the first go out as one message: one network outage at a station is one
 * notification), to webhooks (signed, retried with backoff), WeCom and DingTalk robots and e-mail,
 * to the recipients whose route matches; records every delivery on the alerts; escalates active
 * alerts nobody acknowledged in time. Settings are read at each delivery (no restart).
 */
export class AlertNotifier {
  readonly #o: AlertNotifierOptions
  readonly #mail: Transporter | undefined
  readonly #fetch: Fetch
  readonly #now: () => number
  readonly #sleep: (ms: number) => Promise<void>
  readonly #groups = new Map<string, { notification: AlertNotification; timer: ReturnType<typeof setTimeout> }>()
  readonly #inFlight = new Set<Promise<void>>()
  #escalationTimer: ReturnType<typeof setInterval> | undefined
  #closed = false
  /** Deliveries per channel since start, after retries (the `fleet_alert_notifications_total` metric). */
  readonly stats: NotificationStats = { sent: {}, failed: {} }

  constructor(options: AlertNotifierOptions) {
    this.#o = options
    this.#fetch = options.fetch ?? fetch
    this.#now = options.now ?? Date.now
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
    const smtp = options.smtp
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

  /** Queues raised/resolved events into their groups; each group goes out `groupWaitMs` after its first. */
  async notify(events: AlertEvent[]): Promise<void> {
    const settings = await this.#o.settings()
    const wait = settings.groupWaitMs ?? 0
    const ready: AlertNotification[] = []
    for (const event of events) {
      if (!NOTIFY_KINDS.has(event.kind)) continue
      const a = event.alert
      const kind = event.kind as 'raised' | 'resolved'
      const key = [kind, a.rule, a.siteId ?? `kiosk:${a.kioskId}`, a.department ?? ''].join('\u0000')
      const group = this.#groups.get(key)
      if (group !== undefined) {
        group.notification.alerts.push(a)
        continue
      }
      const notification: AlertNotification = { kind, rule: a.rule, siteId: a.siteId, alerts: [a] }
      if (wait === 0 || this.#closed) {
        ready.push(notification)
        continue
      }
      const timer = setTimeout(() => {
        this.#groups.delete(key)
        this.#track(this.#send(notification))
      }, wait)
      timer.unref()
      this.#groups.set(key, { notification, timer })
    }
    await Promise.all(ready.map((n) => this.#track(this.#send(n))))
  }

  /** Sends every group now and waits for deliveries in flight (stop, tests). */
  async flush(): Promise<void> {
    for (const [key, group] of this.#groups) {
      clearTimeout(group.timer)
      this.#groups.delete(key)
      this.#track(this.#send(group.notification))
    }
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight])
  }

  /** Checks for unacknowledged alerts every `everyMs` (escalation). */
  start(everyMs = 30_000): void {
    this.#escalationTimer = setInterval(() => {
      void this.escalate().catch((err: unknown) => this.#o.logger.warn({ err }, 'alert escalation failed'))
    }, everyMs)
    this.#escalationTimer.unref()
  }

  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#escalationTimer)
    await this.flush()
    this.#mail?.close()
  }

  /**
   * Escalates each active alert not acknowledged within `escalation.afterMs` of being raised, once,
   * unless a silence covers it now: sent to `escalation.to` and recorded (`escalated_at`).
   */
  async escalate(): Promise<AlertRecord[]> {
    const settings = await this.#o.settings()
    const escalation = settings.escalation
    if (escalation === undefined) return []
    const now = this.#now()
    const rows = await this.#o.db.query<Parameters<typeof toAlertRecord>[0]>(
      `UPDATE alerts a SET escalated_at = $2 WHERE a.state = 'active' AND a.acknowledged_at IS NULL
         AND a.escalated_at IS NULL AND a.raised_at <= $1::timestamptz
         AND CASE a.severity WHEN 'critical' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END >= $3
         AND NOT EXISTS (SELECT 1 FROM alert_silences s WHERE s.ended_at IS NULL
               AND s.starts_at <= $2::timestamptz AND s.expires_at > $2::timestamptz
               AND (s.kiosk_id IS NULL OR s.kiosk_id = a.kiosk_id)
               AND (s.site_id IS NULL OR s.site_id = a.site_id)
               AND (s.rule IS NULL OR s.rule = a.rule))
       RETURNING a.*`,
      [
        new Date(now - escalation.afterMs).toISOString(),
        new Date(now).toISOString(),
        RANK[escalation.minSeverity ?? 'info'],
      ],
    )
    const alerts = rows.map(toAlertRecord)
    for (const a of alerts) {
      const n: AlertNotification = { kind: 'escalated', rule: a.rule, siteId: a.siteId, alerts: [a] }
      await this.#deliverTo(escalation.to, n, settings)
    }
    if (alerts.length > 0) this.#o.logger.warn({ alerts: alerts.map((a) => a.id) }, 'alerts escalated')
    return alerts
  }

  #track(p: Promise<void>): Promise<void> {
    const tracked = p.catch((err: unknown) => this.#o.logger.warn({ err }, 'alert notification failed'))
    this.#inFlight.add(tracked)
    void tracked.finally(() => this.#inFlight.delete(tracked))
    return tracked
  }

  async #send(n: AlertNotification): Promise<void> {
    const settings = await this.#o.settings()
    const first = n.alerts[0] as AlertRecord
    for (const route of settings.routes) {
      if (routeTakes(route, first)) await this.#deliverTo(route, n, settings)
    }
  }

  async #deliverTo(route: NotifyRoute, n: AlertNotification, settings: NotifyConfig): Promise<void> {
    const retry = settings.retry ?? DEFAULT_RETRY
    const retried = (send: () => Promise<void>) => withRetry(send, retry, this.#sleep)
    const delivery = newDeliveryId()
    if (route.webhook !== undefined) {
      const target = { url: route.webhook, secret: route.webhookSecret }
      await this.#record(n, 'webhook', route.webhook, () =>
        retried(() => sendWebhook(this.#fetch, target, n, delivery, this.#now())),
      )
    }
    if (route.wecom !== undefined) {
      const url = route.wecom
      await this.#record(n, 'wecom', redactUrl(url), () => retried(() => sendWeCom(this.#fetch, url, n)))
    }
    if (route.dingtalk !== undefined) {
      const target = { url: route.dingtalk, secret: route.dingtalkSecret }
      await this.#record(n, 'dingtalk', redactUrl(route.dingtalk), () =>
        retried(() => sendDingTalk(this.#fetch, target, n, this.#now())),
      )
    }
    if (route.email !== undefined && route.email.length > 0) {
      const to = route.email
      await this.#record(n, 'email', to.join(','), async () => {
        await this.#email(to, n)
        return 1
      })
    }
  }

  async #record(n: AlertNotification, channel: string, target: string, send: () => Promise<number>): Promise<void> {
    let error: string | undefined
    let attempts = 1
    try {
      attempts = await send()
    } catch (err) {
      error = err instanceof Error ? err.message : String(err)
      attempts = (err as { attempts?: number }).attempts ?? 1
      this.#o.logger.warn(
        { channel, target, alerts: n.alerts.map((a) => a.id), err: error },
        'alert notification failed',
      )
    }
    const tally = error === undefined ? this.stats.sent : this.stats.failed
    tally[channel] = (tally[channel] ?? 0) + 1
    const record = {
      kind: n.kind,
      channel,
      target,
      ok: error === undefined,
      attempts,
      grouped: n.alerts.length,
      at: new Date(this.#now()).toISOString(),
      ...(error ? { error } : {}),
    }
    await this.#o.db.query(
      'UPDATE alerts SET notifications = notifications || $2::jsonb WHERE id = ANY($1::bigint[])',
      [n.alerts.map((a) => a.id), JSON.stringify([record])],
    )
  }

  async #email(to: string[], n: AlertNotification): Promise<void> {
    const mail = this.#mail
    const smtp = this.#o.smtp
    if (mail === undefined || smtp === undefined) throw new Error('no SMTP server configured (alerts.notify.smtp)')
    await mail.sendMail({ from: smtp.from, to, subject: subjectOf(n), text: linesOf(n).join('\n') })
  }
}

/** A robot URL's key or token is its credential: logged and recorded without the query. */
function redactUrl(url: string): string {
  const u = new URL(url)
  return `${u.origin}${u.pathname}`
}
