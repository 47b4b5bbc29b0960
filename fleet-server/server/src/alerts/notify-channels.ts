import { createHmac, randomUUID } from 'node:crypto'
import type { AlertRecord } from './alert-engine.ts'

/** One message about one or more alerts of the same kind, rule, site and department. */
export interface AlertNotification {
  kind: 'raised' | 'resolved' | 'escalated'
  rule: string
  siteId: string | null
  alerts: AlertRecord[]
}

/** A failed delivery; `retryable` when trying again may help (network, HTTP 5xx or 429). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message)
    this.name = 'DeliveryError'
  }
}

export type Fetch = typeof fetch

const TITLE: Record<AlertNotification['kind'], string> = {
  raised: '告警 Alert',
  resolved: '恢复 Resolved',
  escalated: '升级 Escalated (unacknowledged)',
}

export function subjectOf(n: AlertNotification): string {
  const first = n.alerts[0] as AlertRecord
  const where = n.alerts.length > 1 ? `${n.alerts.length} kiosks at ${n.siteId ?? '—'}` : first.kioskId
  return `[${TITLE[n.kind]}] ${where} ${n.rule}${n.alerts.length === 1 && first.deviceId ? ` ${first.deviceId}` : ''}`
}

/** Plain lines: one per alert, then where and how severe (no personal data: alerts carry none). */
export function linesOf(n: AlertNotification): string[] {
  const first = n.alerts[0] as AlertRecord
  return [
    ...n.alerts.map((a) => `${a.kioskId}: ${a.message}`),
    '',
    `site: ${n.siteId ?? '—'}  department: ${first.department ?? '—'}  severity: ${first.severity}`,
    `raised: ${first.raisedAt}${first.resolvedAt ? `  resolved: ${first.resolvedAt}` : ''}`,
  ]
}

async function post(doFetch: Fetch, url: string, body: string, headers: Record<string, string> = {}) {
  let response: Response
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(10_000),
    })
  } catch (err) {
    throw new DeliveryError(
      `POST ${new URL(url).origin} failed: ${err instanceof Error ? err.message : String(err)}`,
      true,
    )
  }
  if (!response.ok) {
    await response.body?.cancel()
    throw new DeliveryError(`answered HTTP ${response.status}`, response.status >= 500 || response.status === 429)
  }
  return response
}

/**
 * The signature of a generic webhook: `x-fleet-signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`
 * with `x-fleet-timestamp` (ms). A receiver recomputes it with the shared secret and refuses old timestamps.
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/** Generic JSON webhook: `{event, alert, alerts, group}`, signed when a secret is set. */
export async function sendWebhook(
  doFetch: Fetch,
  target: { url: string; secret?: string | undefined },
  n: AlertNotification,
  delivery: string,
  now: number,
): Promise<void> {
  const body = JSON.stringify({
    event: n.kind,
    alert: n.alerts[0],
    alerts: n.alerts,
    group: { rule: n.rule, siteId: n.siteId, count: n.alerts.length },
  })
  const timestamp = String(now)
  const headers: Record<string, string> = { 'x-fleet-delivery': delivery, 'x-fleet-timestamp': timestamp }
  if (target.secret !== undefined) headers['x-fleet-signature'] = webhookSignature(target.secret, timestamp, body)
  await post(doFetch, target.url, body, headers)
}

/** WeCom (企业微信) group robot: `{msgtype: 'markdown', markdown: {content}}`; `errcode` 0 is success. */
export async function sendWeCom(doFetch: Fetch, url: string, n: AlertNotification): Promise<void> {
  const content = [`**${subjectOf(n)}**`, ...linesOf(n).map((l) => (l === '' ? '' : `> ${l}`))].join('\n')
  const response = await post(doFetch, url, JSON.stringify({ msgtype: 'markdown', markdown: { content } }))
  await robotAnswer(response)
}

/**
 * DingTalk (钉钉) custom robot: `{msgtype: 'markdown', markdown: {title, text}}`; with a secret the URL
 * gets `timestamp` and `sign` = base64(HMAC-SHA256(secret, "<timestamp>\n<secret>")), as DingTalk's
 * "加签" security setting requires.
 */
export async function sendDingTalk(
  doFetch: Fetch,
  target: { url: string; secret?: string | undefined },
  n: AlertNotification,
  now: number,
): Promise<void> {
  const url = new URL(target.url)
  if (target.secret !== undefined) {
    const timestamp = String(now)
    url.searchParams.set('timestamp', timestamp)
    url.searchParams.set('sign', dingTalkSign(target.secret, timestamp))
  }
  const title = subjectOf(n)
  const text = [`### ${title}`, ...linesOf(n).map((l) => (l === '' ? '' : `- ${l}`))].join('\n')
  const response = await post(
    doFetch,
    url.toString(),
    JSON.stringify({ msgtype: 'markdown', markdown: { title, text } }),
  )
  await robotAnswer(response)
}

export function dingTalkSign(secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64')
}

/** WeCom and DingTalk answer HTTP 200 with `{errcode, errmsg}`; a non-zero errcode is a refusal. */
async function robotAnswer(response: Response): Promise<void> {
  const text = await response.text()
  let answer: { errcode?: unknown; errmsg?: unknown }
  try {
    answer = JSON.parse(text) as typeof answer
  } catch {
    throw new DeliveryError(`robot answered no JSON: ${text.slice(0, 100)}`, true)
  }
  if (answer.errcode !== 0) {
    // 45009 / 130101: sent too fast; anything else (bad key, keyword, signature) will not get better.
    const retryable = answer.errcode === 45009 || answer.errcode === 130101
    throw new DeliveryError(
      `robot refused: errcode ${String(answer.errcode)} ${String(answer.errmsg ?? '')}`,
      retryable,
    )
  }
}

export interface RetryPolicy {
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
}

/**
 * Tries `send` up to `attempts` times, waiting baseDelayMs · 2^n (capped, with jitter) between tries,
 * while the failure is retryable. Returns the attempts made; throws the last error.
 */
export async function withRetry(
  send: () => Promise<void>,
  policy: RetryPolicy,
  sleep: (ms: number) => Promise<void>,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      await send()
      return attempt
    } catch (err) {
      const retryable = !(err instanceof DeliveryError) || err.retryable
      if (!retryable || attempt >= policy.attempts) throw Object.assign(err as Error, { attempts: attempt })
      const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
      await sleep(delay / 2 + Math.random() * (delay / 2))
    }
  }
}

export const newDeliveryId = (): string => randomUUID()
