// One kiosk: peripherals with status and firmware, services, alerts, events, history charts and
// remote commands (for roles that may send them).
import { h, time } from '../dom.js'
import { statusClass, statusText } from '../status.js'

const COMMANDS = [
  'ping',
  'self-test',
  'print-test-page',
  'enter-maintenance',
  'leave-maintenance',
  'collect-logs',
  'rebirth',
  'restart-agent',
  'reboot',
]
const CAN_COMMAND = new Set(['admin', 'department', 'site'])

function historyChart(ctx, history) {
  const rows = [...history].reverse()
  const wrap = h('div.chart', { role: 'img', 'aria-label': ctx.t.history })
  if (rows.length < 2 || typeof globalThis.uPlot !== 'function') {
    wrap.append(h('p.empty', {}, '—'))
    return wrap
  }
  const data = [
    rows.map((r) => Date.parse(r.ts) / 1000),
    rows.map((r) => r.health.system?.rssMb ?? null),
    rows.map((r) => r.health.system?.load1 ?? null),
    rows.map((r) => r.health.outbox?.pending ?? null),
  ]
  queueMicrotask(() => {
    // uPlot measures its container, so it is created once the element is in the page.
    new globalThis.uPlot(
      {
        width: Math.max(320, wrap.clientWidth || 640),
        height: 220,
        series: [
          {},
          { label: ctx.t.memory, stroke: '#1f6feb', width: 2 },
          { label: ctx.t.load, stroke: '#b3261e', width: 2, scale: 'load' },
          { label: ctx.t.outbox, stroke: '#8a5a00', width: 2, scale: 'load' },
        ],
        axes: [{}, { label: ctx.t.memory }, { side: 1, scale: 'load', grid: { show: false } }],
      },
      data,
      wrap,
    )
  })
  return wrap
}

function commandsPanel(ctx, kiosk) {
  const { t } = ctx
  const output = h('pre.command-output', { 'aria-live': 'polite' })
  const reason = h('input', {
    id: 'maintenance-reason',
    placeholder: t.maintenanceReason,
    'aria-label': t.maintenanceReason,
  })
  const send = async (command) => {
    const params = command === 'enter-maintenance' ? { reason: reason.value || '—' } : {}
    output.textContent = '…'
    const response = await fetch(`/api/kiosks/${encodeURIComponent(kiosk.id)}/commands/${command}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ params }),
    })
    const body = await response.json()
    output.dataset.status = body.status ?? 'error'
    output.textContent =
      command === 'collect-logs' && body.status === 'ok'
        ? body.data.lines.join('\n')
        : `${t.commandNames[command]}: ${JSON.stringify(body.data ?? body.error ?? body, null, 2)}`
  }
  return h(
    'section.panel',
    {},
    h('h2', {}, t.commands),
    h(
      'div.command-buttons',
      {},
      COMMANDS.map((c) =>
        h('button', { type: 'button', dataset: { command: c }, onclick: () => send(c) }, t.commandNames[c]),
      ),
    ),
    h('label.reason', {}, reason),
    output,
  )
}

export function renderKiosk(ctx, { kiosk, history, events, alerts }) {
  const { t } = ctx
  return h(
    'div.kiosk-page',
    { dataset: { kioskId: kiosk.id } },
    h('p', {}, h('a', { href: '#/kiosks' }, `← ${t.back}`)),
    h(
      'h2.title',
      {},
      h(`span.badge.${kiosk.state}`, {}, t.state[kiosk.state] ?? kiosk.state),
      ` ${kiosk.id} `,
      h(
        'small',
        {},
        `${t.machine[kiosk.machineType] ?? kiosk.machineType ?? ''} · ${kiosk.site?.name ?? '—'} · ${t.app} ${kiosk.appVersion ?? '—'} · ${t.lastSeen} ${time(kiosk.lastSeenAt, ctx.lang)}`,
      ),
    ),
    h(
      'div.columns',
      {},
      h(
        'div',
        {},
        h(
          'section.panel',
          {},
          h('h2', {}, t.peripherals),
          h(
            'table.grid',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                [t.peripherals, t.vendorModel, t.serial, t.firmware, t.status].map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            h(
              'tbody',
              {},
              kiosk.peripherals.map((p) =>
                h(
                  'tr',
                  { dataset: { deviceId: p.deviceId } },
                  h('th', { scope: 'row' }, t.device[p.deviceClass] ?? p.deviceId),
                  h('td', {}, `${p.vendor ?? ''} ${p.model ?? ''}`),
                  h('td', {}, p.serial || '—'),
                  h('td', {}, p.firmware || '—'),
                  h('td', {}, h(`span.status.${statusClass(p.status)}`, {}, statusText(t, p.status))),
                ),
              ),
            ),
          ),
        ),
        h(
          'section.panel',
          {},
          h('h2', {}, t.services),
          h(
            'ul.services-list',
            {},
            kiosk.services.map((s) =>
              h(
                'li',
                { class: s.available ? 'ok' : 'bad' },
                `${t.service[s.serviceId] ?? s.serviceId}: ${s.available ? t.available : `${t.unavailableShort} (${s.blockedBy.join(', ')})`}`,
              ),
            ),
          ),
        ),
        h('section.panel', {}, h('h2', {}, t.history), historyChart(ctx, history)),
      ),
      h(
        'div',
        {},
        CAN_COMMAND.has(ctx.me.role) ? commandsPanel(ctx, kiosk) : null,
        h(
          'section.panel',
          {},
          h('h2', {}, t.nav.alerts),
          alerts.length === 0
            ? h('p.empty', {}, t.noAlerts)
            : h(
                'ul.events',
                {},
                alerts.map((a) =>
                  h(
                    'li',
                    { class: a.severity },
                    `${time(a.raisedAt, ctx.lang)} ${t.rule[a.rule] ?? a.rule} ${a.deviceId} — ${t.alertState[a.state]}`,
                  ),
                ),
              ),
        ),
        h(
          'section.panel',
          {},
          h('h2', {}, t.events),
          h(
            'ul.events',
            {},
            events.events.map((e) =>
              h(
                'li',
                {},
                `${time(e.ts, ctx.lang)} ${e.deviceId ?? ''} ${statusText(t, e.event.status)}${e.event.urgent ? ' ⚠' : ''}`,
              ),
            ),
            events.presence.map((p) =>
              h('li', {}, `${time(p.ts, ctx.lang)} ${t.state[p.state] ?? p.state} (${p.reason ?? '—'})`),
            ),
          ),
        ),
      ),
    ),
  )
}
