// Alerts, open ones by default and their whole history on request: filters (state, rule, severity,
// kiosk, site, time range) and server-side paging with the count of every match.
import { h, time } from '../dom.js'
import { filterBar, formQuery, pager, select } from './pager.js'

const CAN_ACK = new Set(['admin', 'department', 'site'])

/** Alerts per page. */
export const ALERT_PAGE = 50

/** @typedef {import('@kiosk-fleet/protocol/http').AlertPage} AlertPage */

/** A `datetime-local` value (local time) as an ISO instant for the API, and back. */
export const toInstant = (local) => (local ? new Date(local).toISOString() : undefined)
const toLocal = (iso) => {
  if (!iso) return ''
  const d = new Date(iso)
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
}

/**
 * @param {any} ctx
 * @param {{ page: AlertPage, query: Record<string, string>, offset: number }} data
 * @param {{ onAck: (id: number) => unknown, onSilence: (alert: any) => void, onQuery: (query: Record<string, string>) => void, onPage: (offset: number) => void }} actions
 */
export function renderAlerts(ctx, { page, query, offset }, { onAck, onSilence, onQuery, onPage }) {
  const { t } = ctx
  const l = t.fleetList
  const state = query.state ?? 'open'
  const submit = (form) => {
    const q = formQuery(form)
    for (const k of ['from', 'to']) if (q[k]) q[k] = toInstant(q[k]) ?? ''
    onQuery(q)
  }
  const form = filterBar(
    submit,
    select('state', l.alertState, Object.entries(l.states), state),
    select('rule', l.rule, [['', l.any], ...Object.entries(t.rule)], query.rule),
    select('severity', l.severity, [['', l.any], ...Object.entries(t.severity)], query.severity),
    h('label', {}, h('span', {}, l.kiosk), h('input', { name: 'kiosk', value: query.kiosk ?? '', size: 10 })),
    h('label', {}, h('span', {}, l.site), h('input', { name: 'site', value: query.site ?? '', size: 10 })),
    h(
      'label',
      {},
      h('span', {}, l.from),
      h('input', { type: 'datetime-local', name: 'from', value: toLocal(query.from) }),
    ),
    h('label', {}, h('span', {}, l.to), h('input', { type: 'datetime-local', name: 'to', value: toLocal(query.to) })),
    h(
      'div.actions',
      {},
      h('button', { type: 'submit' }, l.apply),
      h('button', { type: 'button', onclick: () => onQuery({}) }, l.clear),
    ),
  )
  const { alerts } = page
  const paging = () => pager(ctx, { total: page.total, offset, limit: ALERT_PAGE, shown: alerts.length }, onPage)
  return h(
    'section.panel.alert-list',
    {},
    h('h2', {}, state === 'open' && Object.keys(query).length <= 1 ? t.openAlerts : l.alertHistory),
    form,
    paging(),
    alerts.length === 0
      ? h('p.empty', {}, Object.keys(query).length === 0 ? t.noAlerts : l.noMatch)
      : h(
          'table.grid.alerts',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['', t.nav.kiosks, t.status, t.peripherals, t.message, t.raisedAt, ''].map((c) =>
                h('th', { scope: 'col' }, c),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            alerts.map((a) =>
              h(
                'tr',
                { dataset: { alertId: a.id, rule: a.rule } },
                h(`td.sev.${a.severity}`, {}, t.severity[a.severity]),
                h('td', {}, h('a', { href: `#/kiosk/${encodeURIComponent(a.kioskId)}` }, a.kioskId)),
                h('td', {}, `${t.rule[a.rule] ?? a.rule} · ${t.alertState[a.state]}`),
                h('td', {}, a.deviceId),
                h('td', {}, a.message),
                h('td', {}, time(a.raisedAt, ctx.lang)),
                h(
                  'td.alert-actions',
                  {},
                  a.acknowledgedBy
                    ? `${t.acknowledged} (${a.acknowledgedBy})`
                    : a.state !== 'resolved' && CAN_ACK.has(ctx.me.role)
                      ? h('button.ack', { type: 'button', onclick: () => onAck(a.id) }, t.ack)
                      : '',
                  a.state !== 'resolved' && CAN_ACK.has(ctx.me.role)
                    ? h('button.silence', { type: 'button', onclick: () => onSilence(a) }, t.silences.fromAlert)
                    : '',
                ),
              ),
            ),
          ),
        ),
    alerts.length > 10 ? paging() : null,
  )
}
