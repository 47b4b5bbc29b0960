// Rollouts: the list, and one rollout with live per-group progress, per-kiosk state and the actions
// the user's role allows in the rollout's current status.
import { h, time } from '../dom.js'
import { KIOSK_ROLLOUT_OUTCOME, ROLLOUT_STATUS } from '../vocabulary.js'

/** @typedef {import('@kiosk-fleet/protocol/http').RolloutDetailView} RolloutDetailView */
/** @typedef {import('@kiosk-fleet/protocol/http').RolloutView} RolloutView */
/** @typedef {import('@kiosk-fleet/protocol/http').RolloutKioskView} RolloutKioskView */

const MANAGERS = new Set(['admin', 'department'])
const outcome = (s) => KIOSK_ROLLOUT_OUTCOME[s]
const FAILED = { has: (s) => outcome(s) === 'failed' }
const ACTIVE = { has: (s) => outcome(s) === 'active' }
/** Statuses a rollout never leaves. */
export const FINAL = new Set(Object.keys(ROLLOUT_STATUS).filter((s) => ROLLOUT_STATUS[s].final))
const STATUS_CLASS = Object.fromEntries(Object.entries(ROLLOUT_STATUS).map(([s, v]) => [s, v.statusClass]))
const STATE_CLASS = (s) => (s === 'succeeded' ? 'ok' : FAILED.has(s) ? 'bad' : ACTIVE.has(s) ? 'warn' : 'off')

/** Which actions a status allows (the server decides again; this only hides buttons that cannot work). */
const ACTIONS = {
  awaitingApproval: ['approve', 'abort'],
  approved: ['start', 'abort'],
  running: ['pause', 'abort'],
  paused: ['resume', 'abort'],
}

/**
 * @param {Record<string, any>} u
 * @param {RolloutView} r
 */
export function rolloutStatus(u, r) {
  return h(`span.status.${STATUS_CLASS[r.status] ?? 'off'}`, {}, u.rolloutStatus[r.status] ?? r.status)
}

function classify(g, state, n) {
  if (state === 'succeeded') g.succeeded += n
  else if (FAILED.has(state)) g.failed += n
  else if (ACTIVE.has(state)) g.active += n
  else if (state === 'cancelled') g.cancelled += n
  else g.pending += n
}

/** Per-group numbers: from the server's `groupCounts` when given, else counted from the kiosk rows. */
/** @param {RolloutDetailView & { kiosks?: RolloutKioskView[] }} rollout */
export function groupProgress(rollout) {
  const groups = new Map()
  const ensure = (index) => {
    if (!groups.has(index))
      groups.set(index, { index, size: 0, succeeded: 0, failed: 0, active: 0, pending: 0, cancelled: 0 })
    return groups.get(index)
  }
  for (let i = 0; i < (rollout.groups ?? []).length; i++) ensure(i)
  if (rollout.groupCounts) {
    for (const c of rollout.groupCounts) {
      const g = ensure(c.group)
      g.size = c.size
      for (const [state, n] of Object.entries(c.states ?? {})) classify(g, state, n)
    }
  } else {
    for (const k of rollout.kiosks ?? []) {
      const g = ensure(k.group)
      g.size++
      classify(g, k.state, 1)
    }
  }
  return [...groups.values()].sort((a, b) => a.index - b.index)
}

const groupSpec = (spec) => (spec === undefined ? '' : 'count' in spec ? `${spec.count}` : `${spec.percent}%`)

export function renderRollouts(ctx, { rollouts }) {
  const { t } = ctx
  const u = t.updates
  if (rollouts.length === 0) return h('p.empty', {}, u.noRollouts)
  return h(
    'section.panel',
    {},
    h('h2', {}, u.rollouts),
    h(
      'table.grid.rollouts',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [u.rollout, u.artifact, u.status, u.currentGroup, u.created].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        rollouts.map((r) =>
          h(
            'tr',
            { dataset: { rolloutId: r.id, status: r.status } },
            h(
              'td',
              {},
              h('a', { href: `#/rollout/${encodeURIComponent(r.id)}` }, r.name),
              h('br'),
              h('small', {}, r.id),
            ),
            h('td', {}, h('a', { href: `#/artifact/${encodeURIComponent(r.artifactId)}` }, r.artifactId)),
            h('td', {}, rolloutStatus(u, r)),
            h('td', {}, `${Math.min((r.currentGroup ?? 0) + 1, r.groups?.length ?? 1)} / ${r.groups?.length ?? '—'}`),
            h('td', {}, `${time(r.createdAt, ctx.lang)} · ${r.createdBy}`),
          ),
        ),
      ),
    ),
  )
}

function progressBar(label, g) {
  const pct = (n) => (g.size === 0 ? 0 : (n / g.size) * 100)
  const done = Math.round(pct(g.succeeded))
  return h(
    'div.bar',
    {
      role: 'progressbar',
      'aria-label': label,
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': done,
      'aria-valuetext': `${g.succeeded} / ${g.size}`,
    },
    h('span.seg.ok', { style: `width:${pct(g.succeeded)}%` }),
    h('span.seg.bad', { style: `width:${pct(g.failed)}%` }),
    h('span.seg.warn', { style: `width:${pct(g.active)}%` }),
  )
}

function excludedLine(u, excluded) {
  const parts = Object.entries(excluded ?? {})
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${u.excludedReason[reason] ?? reason} ${n}`)
  return parts.length ? h('p.meta.excluded', {}, `${u.excluded}: ${parts.join(u.listSeparator)}`) : null
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? '')
}

export function renderRollout(ctx, { rollout: r }, { onAction }) {
  const { t } = ctx
  const u = t.updates
  const a = r.artifact
  const output = h('p.action-result', { role: 'status' })
  const mine = r.createdBy === ctx.me.userId
  const allowed = MANAGERS.has(ctx.me.role) ? (ACTIONS[r.status] ?? []) : []
  const buttons = allowed.map((action) =>
    h(
      `button.rollout-action${action === 'abort' ? '.danger' : ''}`,
      {
        type: 'button',
        dataset: { action },
        disabled: action === 'approve' && mine,
        title: action === 'approve' && mine ? u.ownRollout : undefined,
        onclick: async () => {
          if (action === 'abort' && !window.confirm(u.confirmAbort)) return
          output.textContent = '…'
          const error = await onAction(action)
          output.textContent = error ? `${u.actionFailed}: ${error}` : ''
        },
      },
      u.actions[action],
    ),
  )
  const groups = groupProgress(r)
  const kiosks = [...(r.kiosks ?? [])].sort((x, y) => x.group - y.group || x.kioskId.localeCompare(y.kioskId))
  return h(
    'div.update-page.rollout-page',
    { dataset: { rolloutId: r.id, status: r.status } },
    h('p', {}, h('a', { href: '#/rollouts' }, `← ${t.back}`)),
    h('h2.title', {}, rolloutStatus(u, r), ` ${r.name} `, h('small', {}, r.id)),
    h(
      'p.meta',
      {},
      h(
        'a',
        { href: `#/artifact/${encodeURIComponent(r.artifactId)}` },
        a ? `${u.kind[a.kind] ?? a.kind} ${a.deviceModel ? `${a.deviceModel} ` : ''}${a.version}` : r.artifactId,
      ),
      ` · ${u.installMode[r.installMode] ?? r.installMode} · `,
      fill(u.thresholds, {
        success: `${Math.round(r.successThreshold * 100)}%`,
        error: `${Math.round(r.errorThreshold * 100)}%`,
        min: r.errorMinSample,
      }),
      r.continuous ? ` · ${u.continuous}` : '',
      ` · ${u.createdBy} ${r.createdBy}`,
      r.approvedBy ? ` · ${u.approvedBy} ${r.approvedBy}` : '',
      r.statusReason ? h('span.reason', {}, ` · ${r.statusReason}`) : '',
    ),
    excludedLine(u, r.excluded),
    buttons.length ? h('div.command-buttons', {}, buttons) : null,
    output,
    h(
      'section.panel',
      {},
      h('h2', {}, u.groups),
      h(
        'ol.groups',
        {},
        groups.map((g) => {
          const label = `${u.group} ${g.index + 1} (${groupSpec(r.groups?.[g.index])})`
          const current = g.index === r.currentGroup && !FINAL.has(r.status)
          return h(
            'li',
            { dataset: { group: g.index }, class: current ? 'current' : '' },
            h('span.group-label', {}, label),
            progressBar(label, g),
            h(
              'span.group-counts',
              {},
              `${g.succeeded}/${g.size} ${u.succeeded}`,
              g.failed ? ` · ${g.failed} ${u.failed}` : '',
              g.active ? ` · ${g.active} ${u.active}` : '',
              g.pending ? ` · ${g.pending} ${u.pending}` : '',
            ),
          )
        }),
      ),
    ),
    h(
      'section.panel',
      {},
      h('h2', {}, u.kiosks),
      kiosks.length === 0
        ? h('p.empty', {}, '—')
        : h(
            'table.grid.rollout-kiosks',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                [u.kiosk, u.group, u.state, u.progress, u.waitingFor, u.error, t.lastSeen].map((c) =>
                  h('th', { scope: 'col' }, c),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              kiosks.map((k) =>
                h(
                  'tr',
                  { dataset: { kioskId: k.kioskId, state: k.state } },
                  h('th', { scope: 'row' }, h('a', { href: `#/kiosk/${encodeURIComponent(k.kioskId)}` }, k.kioskId)),
                  h('td', {}, k.group + 1),
                  h('td', {}, h(`span.status.${STATE_CLASS(k.state)}`, {}, u.kioskState[k.state] ?? k.state)),
                  h('td', {}, typeof k.progress === 'number' ? `${Math.round(k.progress * 100)}%` : ''),
                  h('td', {}, (k.blockedBy ?? []).map((b) => u.blockedBy[b] ?? b).join(u.listSeparator)),
                  h('td', {}, k.errorCode ? h('code', {}, k.errorCode) : ''),
                  h('td', {}, time(k.reportedAt, ctx.lang)),
                ),
              ),
            ),
          ),
    ),
  )
}
