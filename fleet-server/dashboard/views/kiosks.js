// Kiosks at fleet scale: the site tree (county → town → site, with counts) beside a searchable,
// filterable table paged by the server ("x–y of N").
import { h, time } from '../dom.js'
import { statusClass, statusText } from '../status.js'
import { filterBar, formQuery, pager, select } from './pager.js'

/** @typedef {import('@kiosk-fleet/protocol/http').KioskView} KioskView */
/** @typedef {import('@kiosk-fleet/protocol/http').KioskPage} KioskPage */
/** @typedef {import('@kiosk-fleet/protocol/http').SiteTreeCounty} SiteTreeCounty */
/** @typedef {Record<string, string>} KioskQuery query parameters of `GET /api/kiosks` (offset apart) */

/** Kiosks per page of the table. */
export const KIOSK_PAGE = 50

/** The node filters the tree sets; a new one replaces the others. */
const NODE_KEYS = ['county', 'town', 'site']

/**
 * @param {{ t: Record<string, any> }} ctx
 * @param {{ kiosks: number, offline: number, faults: number }} n
 */
function counts(ctx, n) {
  return h(
    'span.count',
    { title: ctx.t.fleetList.treeCounts },
    h('span', {}, n.kiosks),
    ' / ',
    h(n.offline > 0 ? 'span.warn' : 'span', {}, n.offline),
    ' / ',
    h(n.faults > 0 ? 'span.bad' : 'span', {}, n.faults),
  )
}

/**
 * @param {{ t: Record<string, any> }} ctx
 * @param {SiteTreeCounty[]} counties
 * @param {KioskQuery} query
 * @param {(node: KioskQuery) => void} onNode
 */
function siteTree(ctx, counties, query, onNode) {
  const t = ctx.t.fleetList
  const node = (label, filter, n, current) =>
    h(
      'button.node',
      { type: 'button', 'aria-current': current ? 'true' : undefined, onclick: () => onNode(filter) },
      h('span.name', {}, label),
      counts(ctx, n),
    )
  /** A node with children: a toggle that shows or hides them in place (no request), then the node. */
  const branch = (label, filter, n, current, open, children) => {
    const list = h('ul', { hidden: !open }, children)
    const toggle = h(
      'button.toggle',
      {
        type: 'button',
        'aria-expanded': String(open),
        'aria-label': label,
        onclick: () => {
          list.hidden = !list.hidden
          toggle.setAttribute('aria-expanded', String(!list.hidden))
        },
      },
      '',
    )
    return [h('div.branch', {}, toggle, node(label, filter, n, current)), list]
  }
  const none = NODE_KEYS.every((k) => query[k] === undefined)
  return h(
    'nav.site-tree',
    { 'aria-label': t.tree },
    h('h2', {}, t.tree, h('small', {}, t.treeCounts)),
    h(
      'button.node.all',
      { type: 'button', 'aria-current': none ? 'true' : undefined, onclick: () => onNode({}) },
      t.allSites,
    ),
    h(
      'ul',
      {},
      counties.map((c) => {
        const inCounty =
          query.county === c.county ||
          c.towns.some((tw) => tw.town === query.town || tw.sites.some((s) => s.id === query.site))
        return h(
          'li',
          { dataset: { county: c.county } },
          branch(
            `${c.city} ${c.county}`,
            { county: c.county },
            c,
            query.county === c.county && !query.town,
            inCounty,
            c.towns.map((tw) =>
              h(
                'li',
                { dataset: { town: tw.town } },
                branch(
                  tw.town,
                  { county: c.county, town: tw.town },
                  tw,
                  query.town === tw.town,
                  query.town === tw.town || tw.sites.some((s) => s.id === query.site),
                  tw.sites.map((s) =>
                    h('li', { dataset: { siteId: s.id } }, node(s.name, { site: s.id }, s, query.site === s.id)),
                  ),
                ),
              ),
            ),
          ),
        )
      }),
    ),
  )
}

/**
 * @param {{ t: Record<string, any> }} ctx
 * @param {KioskQuery} query
 * @param {(query: KioskQuery) => void} onQuery
 */
function filterForm(ctx, query, onQuery) {
  const { t } = ctx
  const l = t.fleetList
  /** @type {[string, string][]} */
  const yesNo = [
    ['', l.any],
    ['true', l.yes],
    ['false', l.no],
  ]
  const keepNode = Object.fromEntries(NODE_KEYS.filter((k) => query[k] !== undefined).map((k) => [k, query[k]]))
  const submit = (form) => onQuery({ ...keepNode, ...formQuery(form) })
  return filterBar(
    submit,
    h(
      'label.q',
      {},
      h('span', {}, l.search),
      h('input', { type: 'search', name: 'q', value: query.q ?? '', placeholder: l.searchPlaceholder, maxlength: 100 }),
    ),
    select('state', l.state, [['', l.any], ...Object.entries(t.state)], query.state),
    select('machineType', l.machineType, [['', l.any], ...Object.entries(t.machine)], query.machineType),
    select('department', l.department, [['', l.any], ...Object.entries(t.department)], query.department),
    select('fault', l.fault, yesNo, query.fault),
    select('serviceUnavailable', l.serviceUnavailable, yesNo, query.serviceUnavailable),
    h(
      'label',
      {},
      h('span', {}, l.appVersion),
      h('input', { name: 'appVersion', value: query.appVersion ?? '', size: 8 }),
    ),
    h('label', {}, h('span', {}, l.firmware), h('input', { name: 'firmware', value: query.firmware ?? '', size: 8 })),
    h(
      'div.actions',
      {},
      h('button', { type: 'submit' }, l.apply),
      h('button', { type: 'button', onclick: () => onQuery({}) }, l.clear),
    ),
  )
}

/**
 * One kiosk as a table row: peripherals that need someone, and citizen services that are down.
 * @param {{ t: Record<string, any>, lang: string }} ctx
 * @param {KioskView} kiosk
 */
export function kioskRow(ctx, kiosk) {
  const { t } = ctx
  const l = t.fleetList
  const attention = kiosk.peripherals.filter((p) => statusClass(p.status) !== 'ok')
  const blocked = kiosk.services.filter((s) => !s.available)
  const site = kiosk.site
  return h(
    'tr',
    { dataset: { kioskId: kiosk.id }, class: `kiosk${kiosk.state === 'online' ? '' : ' is-offline'}` },
    h('td.state', { 'data-label': l.state }, h(`span.badge.${kiosk.state}`, {}, t.state[kiosk.state] ?? kiosk.state)),
    h('th.id', { scope: 'row' }, h('a', { href: `#/kiosk/${encodeURIComponent(kiosk.id)}` }, kiosk.id)),
    h('td', { 'data-label': l.machineType }, t.machine[kiosk.machineType] ?? kiosk.machineType ?? '—'),
    h('td', { 'data-label': l.department }, t.department[kiosk.department] ?? kiosk.department ?? '—'),
    h('td.site', { 'data-label': l.site }, site ? [site.name, h('small', {}, `${site.county} · ${site.town}`)] : '—'),
    h('td', { 'data-label': t.app }, kiosk.appVersion ?? '—'),
    h(
      'td.devices',
      { 'data-label': t.peripherals },
      attention.length === 0
        ? h('span.muted', {}, l.peripheralsOk)
        : h(
            'ul.peripherals',
            {},
            attention.map((p) =>
              h(
                'li',
                {
                  dataset: { deviceId: p.deviceId },
                  title: `${p.vendor ?? ''} ${p.model ?? ''} fw ${p.firmware || '—'}`,
                },
                `${t.device[p.deviceClass] ?? p.deviceClass ?? p.deviceId} `,
                h(`span.status.${statusClass(p.status)}`, {}, statusText(t, p.status)),
              ),
            ),
          ),
    ),
    h(
      'td.services',
      { 'data-label': t.unavailable },
      blocked.length === 0
        ? h('span.muted', {}, t.servicesOk)
        : h('span.blocked', {}, blocked.map((s) => t.service[s.serviceId] ?? s.serviceId).join(', ')),
    ),
    h('td.seen', { 'data-label': t.lastSeen }, time(kiosk.lastSeenAt, ctx.lang)),
  )
}

/**
 * @param {{ t: Record<string, any>, lang: string }} ctx
 * @param {{ page: KioskPage, tree: SiteTreeCounty[], query: KioskQuery, offset: number }} data
 * @param {{ onQuery: (query: KioskQuery) => void, onPage: (offset: number) => void }} actions
 */
export function renderKiosks(ctx, { page, tree, query, offset }, { onQuery, onPage }) {
  const { t } = ctx
  const l = t.fleetList
  const onNode = (node) => {
    const rest = Object.fromEntries(Object.entries(query).filter(([k]) => !NODE_KEYS.includes(k)))
    onQuery({ ...rest, ...node })
  }
  const paging = pager(ctx, { total: page.total, offset, limit: KIOSK_PAGE, shown: page.kiosks.length }, onPage)
  return h(
    'div.fleet-list',
    {},
    siteTree(ctx, tree, query, onNode),
    h(
      'section.panel.kiosk-list',
      {},
      filterForm(ctx, query, onQuery),
      paging,
      page.kiosks.length === 0
        ? h('p.empty', {}, Object.keys(query).length === 0 ? t.none : l.noMatch)
        : h(
            'table.grid.kiosk-table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                [
                  l.state,
                  l.kiosk,
                  l.machineType,
                  l.department,
                  l.site,
                  t.app,
                  t.peripherals,
                  t.unavailable,
                  t.lastSeen,
                ].map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            h(
              'tbody',
              {},
              page.kiosks.map((k) => kioskRow(ctx, k)),
            ),
          ),
      page.kiosks.length > 10
        ? pager(ctx, { total: page.total, offset, limit: KIOSK_PAGE, shown: page.kiosks.length }, onPage)
        : null,
    ),
  )
}
