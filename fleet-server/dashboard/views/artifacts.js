// Update artifacts: the list, and one artifact with its compatibility, status and department approvals.
import { h, time } from '../dom.js'
import { ARTIFACT_STATUS_CLASS as STATUS_CLASS } from '../vocabulary.js'

const APPROVERS = new Set(['admin', 'department'])

/** @typedef {import('@kiosk-fleet/protocol/http').ArtifactView} ArtifactView */

export function formatBytes(n) {
  if (n === null || n === undefined) return '—'
  if (n < 1000) return `${n} B`
  const units = ['kB', 'MB', 'GB']
  let value = n / 1000
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

export function artifactTarget(u, a) {
  if (a.kind === 'app') return u.kioskApp
  if (a.kind === 'catalogue') return `${u.catalogueOf} ${a.department ?? ''}`
  return `${a.vendor ?? ''} / ${a.deviceModel ?? ''}`
}

/**
 * @param {Record<string, any>} u
 * @param {ArtifactView} a
 */
export function artifactStatus(u, a) {
  return h(`span.status.${STATUS_CLASS[a.status] ?? 'off'}`, {}, u.artifactStatus[a.status] ?? a.status)
}

export function renderArtifacts(ctx, { artifacts }) {
  const { t } = ctx
  const u = t.updates
  if (artifacts.length === 0) return h('p.empty', {}, u.noArtifacts)
  return h(
    'section.panel',
    {},
    h('h2', {}, u.artifacts),
    h(
      'table.grid.artifacts',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [u.id, u.kindLabel, u.target, u.version, u.status, u.size, u.approvedFor, u.uploaded].map((c) =>
            h('th', { scope: 'col' }, c),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        artifacts.map((a) =>
          h(
            'tr',
            { dataset: { artifactId: a.id, status: a.status } },
            h('td', {}, h('a', { href: `#/artifact/${encodeURIComponent(a.id)}` }, a.id)),
            h('td', {}, u.kind[a.kind] ?? a.kind),
            h('td', {}, artifactTarget(u, a)),
            h('td', {}, a.version),
            h('td', {}, artifactStatus(u, a)),
            h('td', {}, formatBytes(a.length)),
            h(
              'td',
              {},
              (a.approvals ?? []).map((p) => t.department[p.department] ?? p.department).join(u.listSeparator) || '—',
            ),
            h('td', {}, `${time(a.createdAt, ctx.lang)} · ${a.uploadedBy}`),
          ),
        ),
      ),
    ),
  )
}

function row(label, value) {
  return h('tr', {}, h('th', { scope: 'row' }, label), h('td', {}, value ?? '—'))
}

/** Departments the user may approve for that have not approved yet. */
function approvable(ctx, artifact) {
  if (!APPROVERS.has(ctx.me.role) || artifact.status !== 'ready') return []
  const done = new Set((artifact.approvals ?? []).map((p) => p.department))
  const mine = ctx.me.role === 'admin' ? Object.keys(ctx.t.department) : ctx.me.departments
  return mine.filter((d) => !done.has(d))
}

export function renderArtifact(ctx, { artifact: a }, { onApprove, onRevoke }) {
  const { t } = ctx
  const u = t.updates
  const c = a.compatibility ?? {}
  const list = (values) => (values?.length ? values.join(', ') : u.any)
  const departments = approvable(ctx, a)
  const output = h('p.action-result', { role: 'status' })
  const act = async (fn) => {
    output.textContent = '…'
    const error = await fn()
    output.textContent = error ? `${u.actionFailed}: ${error}` : ''
  }
  const approvals = a.approvals ?? []
  return h(
    'div.update-page.artifact-page',
    { dataset: { artifactId: a.id, status: a.status } },
    h('p', {}, h('a', { href: '#/artifacts' }, `← ${t.back}`)),
    h(
      'h2.title',
      {},
      artifactStatus(u, a),
      a.kind === 'app'
        ? ` ${u.kind.app} ${a.version} `
        : ` ${u.kind[a.kind] ?? a.kind} · ${artifactTarget(u, a)} · ${a.version} `,
      h('small', {}, a.id),
    ),
    h(
      'div.columns',
      {},
      h(
        'section.panel',
        {},
        h('h2', {}, u.artifact),
        h(
          'table.grid.fields',
          {},
          h(
            'tbody',
            {},
            row(u.status, `${u.artifactStatus[a.status] ?? a.status}${a.statusReason ? ` — ${a.statusReason}` : ''}`),
            row(u.targetPath, h('code', {}, a.targetPath)),
            row(u.size, a.length === null ? '—' : `${formatBytes(a.length)} (${a.length} B)`),
            row('SHA-256', h('code.hash', {}, a.sha256 ?? '—')),
            row(u.uploaded, `${time(a.createdAt, ctx.lang)} · ${a.uploadedBy}`),
            row(u.notes, a.notes || '—'),
          ),
        ),
      ),
      h(
        'div',
        {},
        h(
          'section.panel',
          {},
          h('h2', {}, u.compatibility),
          h(
            'table.grid.fields.compatibility',
            {},
            h(
              'tbody',
              {},
              row(
                u.machineTypes,
                c.machineTypes?.length ? c.machineTypes.map((m) => t.machine[m] ?? m).join(u.listSeparator) : u.any,
              ),
              a.kind === 'app' || a.kind === 'catalogue'
                ? null
                : row(t.vendorModel, `${a.vendor ?? ''} / ${a.deviceModel ?? ''}`),
              row(u.hwRevisions, list(c.hwRevisions)),
              row(u.minAppVersion, c.minAppVersion || u.any),
            ),
          ),
        ),
        h(
          'section.panel.approvals',
          {},
          h('h2', {}, u.approvals),
          approvals.length === 0
            ? h('p.empty', {}, u.notApproved)
            : h(
                'ul.events',
                {},
                approvals.map((p) =>
                  h(
                    'li',
                    { dataset: { department: p.department } },
                    `${t.department[p.department] ?? p.department} — ${p.approvedBy} · ${time(p.approvedAt, ctx.lang)}`,
                  ),
                ),
              ),
          departments.length === 0
            ? null
            : h(
                'div.command-buttons',
                {},
                departments.map((d) =>
                  h(
                    'button.approve',
                    {
                      type: 'button',
                      dataset: { department: d },
                      onclick: () => act(() => onApprove(d)),
                    },
                    `${u.approve}: ${t.department[d] ?? d}`,
                  ),
                ),
              ),
          ctx.me.role === 'admin' && a.status !== 'revoked'
            ? h(
                'div.command-buttons',
                {},
                h(
                  'button.danger',
                  { type: 'button', onclick: () => window.confirm(u.confirmRevoke) && act(onRevoke) },
                  u.revoke,
                ),
              )
            : null,
          output,
        ),
      ),
    ),
  )
}
