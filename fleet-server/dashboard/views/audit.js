// The audit log (admins, auditors): search by actor, action, target, outcome, time range and free
// text; pages with the true total; export of exactly what was searched, as CSV or NDJSON.
import { fill } from '../admin-labels.js'
import { h, time } from '../dom.js'

export const AUDIT_FIELDS = ['actor', 'action', 'target', 'outcome', 'since', 'until', 'q']

/** `datetime-local` (the browser's time zone) to ISO, and back. */
const toIso = (local) => (local ? new Date(local).toISOString() : undefined)
function toLocal(iso) {
  if (!iso) return ''
  const d = new Date(iso)
  const pad = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** The query string of a search (only the fields set). */
export function auditQuery(filter, extra = {}) {
  const query = new URLSearchParams()
  for (const key of AUDIT_FIELDS) if (filter[key]) query.set(key, filter[key])
  for (const [k, v] of Object.entries(extra)) query.set(k, String(v))
  return query
}

/**
 * @param {{t: any, lang: string}} ctx
 * @param {{page: {entries: any[], total: number, limit: number, offset: number}, filter: Record<string, string>}} data
 * @param {{onSearch: (filter: Record<string, string>) => void, onPage: (offset: number) => void}} on
 */
export function renderAudit(ctx, { page, filter }, on) {
  const a = ctx.t.admin
  const input = (name, attrs = {}) =>
    h(
      'label',
      {},
      h('span', {}, a[name === 'q' ? 'text' : name]),
      h('input', { name, value: filter[name] ?? '', ...attrs }),
    )
  const form = h(
    'form.audit-search.inline-form',
    {
      onsubmit: (event) => {
        event.preventDefault()
        const data = new FormData(form)
        /** @type {Record<string, string>} */
        const next = {}
        for (const key of AUDIT_FIELDS) {
          const value = String(data.get(key) ?? '').trim()
          if (value) next[key] = key === 'since' || key === 'until' ? toIso(value) : value
        }
        on.onSearch(next)
      },
    },
    input('actor'),
    input('action', { title: a.actionHint, placeholder: 'user.*' }),
    input('target'),
    h(
      'label',
      {},
      h('span', {}, a.outcome),
      h(
        'select',
        { name: 'outcome' },
        Object.entries(a.outcomes).map(([v, label]) =>
          h('option', { value: v, selected: (filter.outcome ?? '') === v }, label),
        ),
      ),
    ),
    h(
      'label',
      {},
      h('span', {}, a.since),
      h('input', { name: 'since', type: 'datetime-local', value: toLocal(filter.since) }),
    ),
    h(
      'label',
      {},
      h('span', {}, a.until),
      h('input', { name: 'until', type: 'datetime-local', value: toLocal(filter.until) }),
    ),
    input('q', { type: 'search' }),
    h('button', { type: 'submit' }, a.search),
    h('button', { type: 'button', onclick: () => on.onSearch({}) }, a.clear),
  )

  const { entries, total, limit, offset } = page
  const first = total === 0 ? 0 : offset + 1
  const last = offset + entries.length
  const exportLink = (format, label) =>
    h(
      'a.export',
      {
        href: `/api/audit/export?${auditQuery(filter, { format })}`,
        download: `audit.${format === 'csv' ? 'csv' : 'ndjson'}`,
      },
      label,
    )
  const table =
    entries.length === 0
      ? h('p.empty', {}, a.noEntries)
      : h(
          'table.grid.audit',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['#', a.time, a.actor, a.action, a.target, a.outcome, a.address, a.details].map((c) =>
                h('th', { scope: 'col' }, c),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            entries.map((e) =>
              h(
                'tr',
                { dataset: { seq: String(e.seq), outcome: e.outcome } },
                h('td', {}, e.seq),
                h('td', {}, time(e.ts, ctx.lang)),
                h('td', {}, e.actor, e.role ? h('small', {}, ` ${e.role}`) : ''),
                h('td', {}, e.action),
                h('td', {}, e.target ?? '—'),
                h(`td.${e.outcome === 'ok' ? 'ok' : 'bad'}`, {}, a.outcomes[e.outcome] ?? e.outcome),
                h('td', {}, e.ip ?? '—'),
                h('td.details', {}, Object.keys(e.details ?? {}).length ? JSON.stringify(e.details) : ''),
              ),
            ),
          ),
        )
  return h(
    'div.admin-page.audit-page',
    {},
    h(
      'section.panel',
      {},
      h('h2', {}, a.audit),
      form,
      h(
        'div.pager',
        {},
        h('span.range', {}, fill(a.range, { first, last, total })),
        h(
          'button.previous',
          { type: 'button', disabled: offset === 0, onclick: () => on.onPage(Math.max(0, offset - limit)) },
          a.previous,
        ),
        h('button.next', { type: 'button', disabled: last >= total, onclick: () => on.onPage(offset + limit) }, a.next),
        exportLink('csv', a.exportCsv),
        exportLink('jsonl', a.exportJsonl),
      ),
      table,
    ),
  )
}
