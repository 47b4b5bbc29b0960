// Open alerts, most severe first, with acknowledge buttons for roles that may.
import { h, time } from '../dom.js'

const CAN_ACK = new Set(['admin', 'department', 'site'])

/** @typedef {import('@kiosk-fleet/protocol/http').AlertView} AlertView */

/**
 * @param {any} ctx
 * @param {{ alerts: AlertView[] }} data
 * @param {(id: number) => unknown} onAck
 */
export function renderAlerts(ctx, { alerts }, onAck) {
  const { t } = ctx
  if (alerts.length === 0) return h('p.empty', {}, t.noAlerts)
  return h(
    'section.panel',
    {},
    h('h2', {}, t.openAlerts),
    h(
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
              'td',
              {},
              a.acknowledgedBy
                ? `${t.acknowledged} (${a.acknowledgedBy})`
                : CAN_ACK.has(ctx.me.role)
                  ? h('button.ack', { type: 'button', onclick: () => onAck(a.id) }, t.ack)
                  : '',
            ),
          ),
        ),
      ),
    ),
  )
}
