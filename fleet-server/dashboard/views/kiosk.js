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
/** Who may see a kiosk's screen (the server's `captureScreen` permission): IT staff, not departments or vendors. */
const CAN_SEE_SCREEN = new Set(['admin', 'site'])
/** The API refuses these without `confirm` (protocol/src/http/commands.ts DISRUPTIVE_COMMANDS). */
const DISRUPTIVE = new Set(['reboot', 'restart-agent', 'enter-maintenance'])

const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? '')

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
  // The last result stays on the page when it is drawn again (a live change of this kiosk), and one
  // that arrives after a redraw goes to the output on screen, not to the one drawn before.
  const kept = ctx.commandResults?.get(kiosk.id)
  const output = h(
    'pre.command-output',
    {
      'aria-live': 'polite',
      dataset: { kiosk: kiosk.id, ...(kept?.status === undefined ? {} : { status: kept.status }) },
    },
    kept?.text ?? '',
  )
  const show = (status, text) => {
    ctx.commandResults?.set(kiosk.id, { status, text })
    // This kiosk's output on screen: the page may show another kiosk by the time the answer comes.
    const onScreen = document.querySelector(`.command-output[data-kiosk="${CSS.escape(kiosk.id)}"]`)
    for (const el of new Set([output, onScreen])) {
      if (el === null) continue
      if (status === undefined) delete el.dataset.status
      else el.dataset.status = status
      el.textContent = text
    }
  }
  const reason = h('input', {
    id: 'maintenance-reason',
    placeholder: t.maintenanceReason,
    'aria-label': t.maintenanceReason,
  })
  const send = async (command) => {
    const params = command === 'enter-maintenance' ? { reason: reason.value || '—' } : {}
    const disruptive = DISRUPTIVE.has(command)
    if (disruptive && !window.confirm(fill(t.confirmCommand, { command: t.commandNames[command], kiosk: kiosk.id }))) {
      return
    }
    show(undefined, '…')
    const response = await fetch(`/api/kiosks/${encodeURIComponent(kiosk.id)}/commands/${command}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(disruptive ? { params, confirm: kiosk.id } : { params }),
    })
    const body = await response.json()
    show(
      body.status ?? 'error',
      command === 'collect-logs' && body.status === 'ok'
        ? body.data.lines.join('\n')
        : body.status === 'queued'
          ? `${t.commandNames[command]}: ${fill(t.commandQueued, { expires: time(body.expiresAt, ctx.lang) })}`
          : `${t.commandNames[command]}: ${JSON.stringify(body.data ?? body.error ?? body, null, 2)}`,
    )
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

/**
 * The kiosk's screen as last captured (`screenshot`), with the time it was taken; a button takes a
 * new one. While a citizen is served the kiosk refuses, and the panel says so.
 */
function screenPanel(ctx, kiosk) {
  const { t } = ctx
  const base = `/api/kiosks/${encodeURIComponent(kiosk.id)}/screenshot`
  const figure = h('figure.screenshot', {})
  const status = h('p.screenshot-status', { role: 'status' })
  const show = async () => {
    const response = await fetch(base)
    if (!response.ok) {
      figure.replaceChildren(h('p.empty', {}, t.screenshotNone))
      return
    }
    const shot = await response.json()
    figure.replaceChildren(
      h('img', {
        src: `${base}/image?t=${encodeURIComponent(shot.transaction)}`,
        alt: fill(t.screenshotAlt, { kiosk: kiosk.id }),
        width: shot.width,
        height: shot.height,
      }),
      h('figcaption', {}, fill(t.screenshotTaken, { at: time(shot.takenAt, ctx.lang), by: shot.requestedBy ?? '—' })),
    )
  }
  const take = async () => {
    status.textContent = '…'
    const response = await fetch(`/api/kiosks/${encodeURIComponent(kiosk.id)}/commands/screenshot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ params: {} }),
    })
    const body = await response.json()
    status.dataset.status = body.data?.taken ? 'ok' : 'error'
    status.textContent = body.data?.taken
      ? ''
      : body.data?.refused
        ? (t.screenshotRefused[body.data.refused] ?? body.data.refused)
        : (body.error?.message ?? body.message ?? body.status ?? '')
    if (body.data?.taken) await show()
  }
  void show()
  return h(
    'section.panel.screen-panel',
    {},
    h('h2', {}, t.screenshot),
    h('p.muted.note', {}, t.screenshotNote),
    h('button', { type: 'button', dataset: { action: 'screenshot' }, onclick: () => take() }, t.screenshotTake),
    status,
    figure,
  )
}

function commandLog(ctx, commands) {
  const { t } = ctx
  return h(
    'section.panel.command-log',
    {},
    h('h2', {}, t.commandLog),
    commands.length === 0
      ? h('p.empty', {}, '—')
      : h(
          'ul.events',
          {},
          commands.map((c) =>
            h(
              'li',
              { dataset: { transaction: c.transaction, status: c.status } },
              `${time(c.requestedAt, ctx.lang)} ${t.commandNames[c.command] ?? c.command} — `,
              h(`span.command-status.${c.status}`, {}, t.commandStatus[c.status] ?? c.status),
              c.requestedBy ? ` · ${c.requestedBy}` : '',
            ),
          ),
        ),
  )
}

/** A peripheral's status cell: live, or "unknown" with the last known status while the kiosk is offline. */
function statusCell(ctx, kiosk, status) {
  const { t } = ctx
  if (kiosk.live) return h('td', {}, h(`span.status.${statusClass(status)}`, {}, statusText(t, status)))
  return h(
    'td',
    {},
    h('span.status.off.unknown', {}, t.unknownState),
    status ? h('small.last-known', {}, ` ${t.lastKnown}: ${statusText(t, status)}`) : null,
  )
}

function serviceItem(ctx, kiosk, s) {
  const { t } = ctx
  const name = t.service[s.serviceId] ?? s.serviceId
  if (!kiosk.live) {
    const last =
      s.lastKnownAvailable === undefined
        ? ''
        : ` (${t.lastKnown}: ${s.lastKnownAvailable ? t.available : t.unavailableShort})`
    return h('li', { class: 'unknown' }, `${name}: ${t.unknownState}${last}`)
  }
  return h(
    'li',
    { class: s.available ? 'ok' : 'bad' },
    `${name}: ${s.available ? t.available : `${t.unavailableShort} (${s.blockedBy.join(', ')})`}`,
  )
}

/**
 * Each printer's paper forecast (`GET /api/paper-forecast?kioskId=`): what is left, used per day
 * over the last week, and the days until it runs out; nothing for a kiosk whose printers report no
 * paper counters.
 * @param {any} ctx
 * @param {any} kiosk
 * @param {import('@kiosk-fleet/protocol/http').PaperForecastRow[]} paper
 */
function paperPanel(ctx, kiosk, paper) {
  const { t } = ctx
  if (paper.length === 0) return null
  const p = t.paperForecast
  const days = (f) =>
    f.daysLeft === null ? p.unknown : f.daysLeft === 0 ? p.empty : p.days.replace('{days}', f.daysLeft.toFixed(1))
  const level = (f) => (f.daysLeft === null ? 'off' : f.daysLeft < 1 ? 'bad' : f.daysLeft < 3 ? 'warn' : 'ok')
  return h(
    'section.panel.paper-forecast',
    {},
    h('h2', {}, p.title),
    h(
      'table.grid',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [p.printer, p.left, p.perDay, p.daysLeft].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        paper.map((f) => {
          const device = kiosk.peripherals.find((x) => x.deviceId === f.deviceId)
          return h(
            'tr',
            { dataset: { deviceId: f.deviceId } },
            h('th', { scope: 'row' }, t.device[device?.deviceClass] ?? f.deviceId),
            h('td.num', {}, `${Math.round(f.remaining)} ${p.unit[f.unit]}`),
            h('td.num', {}, f.usedPerDay === null ? '—' : `${Math.round(f.usedPerDay)} ${p.unit[f.unit]}`),
            h(
              'td',
              { title: f.emptyAt ? `${p.emptyAt} ${time(f.emptyAt, ctx.lang)}` : '' },
              h(`span.status.${level(f)}`, {}, days(f)),
            ),
          )
        }),
      ),
    ),
    h('p.muted.note', {}, p.note),
  )
}

export function renderKiosk(ctx, { kiosk, history, events, alerts, commands = [], paper = [] }) {
  const { t } = ctx
  return h(
    'div.kiosk-page',
    { dataset: { kioskId: kiosk.id } },
    h('p', {}, h('a', { href: '#/kiosks' }, `← ${t.back}`)),
    h(
      'h2.title',
      {},
      h(`span.badge.${kiosk.state}`, {}, t.state[kiosk.state] ?? kiosk.state),
      kiosk.mode && kiosk.mode !== 'inService'
        ? h(`span.badge.mode.${kiosk.mode}`, {}, t.modeNames[kiosk.mode] ?? kiosk.mode)
        : null,
      ` ${kiosk.id} `,
      h(
        'small',
        {},
        `${t.machine[kiosk.machineType] ?? kiosk.machineType ?? ''} · ${kiosk.site?.name ?? '—'} · ${t.app} ${kiosk.appVersion ?? '—'} · ${t.lastSeen} ${time(kiosk.lastSeenAt, ctx.lang)}`,
      ),
    ),
    kiosk.live
      ? null
      : h(
          'p.offline-notice',
          { role: 'status' },
          fill(t.offlineNotice, { at: time(kiosk.lastReportAt ?? kiosk.lastSeenAt, ctx.lang) }),
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
                  statusCell(ctx, kiosk, p.status),
                ),
              ),
            ),
          ),
        ),
        paperPanel(ctx, kiosk, paper),
        h(
          'section.panel',
          {},
          h('h2', {}, t.services),
          h(
            'ul.services-list',
            {},
            kiosk.services.map((s) => serviceItem(ctx, kiosk, s)),
          ),
        ),
        h('section.panel', {}, h('h2', {}, t.history), historyChart(ctx, history)),
      ),
      h(
        'div',
        {},
        CAN_COMMAND.has(ctx.me.role) ? commandsPanel(ctx, kiosk) : null,
        CAN_SEE_SCREEN.has(ctx.me.role) ? screenPanel(ctx, kiosk) : null,
        commandLog(ctx, commands),
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
