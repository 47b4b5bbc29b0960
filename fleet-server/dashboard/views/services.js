// Citizen services: the catalogue by department, which kiosks offer each service, whether it is
// available now (reasons counted; offline kiosks unknown) and its share of the last 30 days; one
// service's page lists the kiosks offering it.
import { h, time } from '../dom.js'

/** @typedef {import('@kiosk-fleet/protocol/http').ServicesOverview} ServicesOverview */
/** @typedef {import('@kiosk-fleet/protocol/http').ServiceSummary} ServiceSummary */
/** @typedef {import('@kiosk-fleet/protocol/http').ServiceShare} ServiceShare */
/** @typedef {import('@kiosk-fleet/protocol/http').ServiceKiosksPage} ServiceKiosksPage */
/** @typedef {import('@kiosk-fleet/protocol/http').ServiceKioskAvailability} ServiceKioskAvailability */
/** @typedef {import('@kiosk-fleet/protocol/http').ServiceUnavailableReason} ServiceUnavailableReason */

/** Reasons in the order they are shown. @type {ServiceUnavailableReason[]} */
const REASONS = ['peripheral', 'gatewayDown', 'identityUnavailable', 'other']

/** A share below this is shown as a problem, below `GOOD` as a warning. */
const POOR = 0.9
const GOOD = 0.98

const serviceName = (ctx, s) => (s.name ? s.name[ctx.lang] : s.id)
const percent = (share) => (share === null ? '—' : `${(Math.floor(share * 1000) / 10).toFixed(1)}%`)
const shareClass = (share) => (share === null ? 'off' : share < POOR ? 'bad' : share < GOOD ? 'warn' : 'ok')

/**
 * A share as a percentage and a small bar (its width set through the CSSOM: the dashboard's CSP
 * allows no inline style attributes).
 * @param {any} ctx
 * @param {ServiceShare} share
 */
function shareCell(ctx, share) {
  const { t } = ctx
  const fill = h(`span.share-fill.${shareClass(share.share)}`)
  fill.style.width = `${share.share === null ? 0 : share.share * 100}%`
  return h(
    'span.share',
    {
      title:
        share.snapshots === 0
          ? t.servicePage.noSnapshots
          : t.servicePage.snapshotsOf.replace('{available}', share.available).replace('{snapshots}', share.snapshots),
    },
    h('span.share-value', {}, percent(share.share)),
    h('span.share-bar', { role: 'img', 'aria-label': `${t.servicePage.window} ${percent(share.share)}` }, fill),
  )
}

/** "3 缺外设 · 1 网关故障" for the reasons that count, or nothing. */
function reasonChips(ctx, reasons) {
  const { t } = ctx
  const present = REASONS.filter((r) => reasons[r] > 0)
  if (present.length === 0) return null
  return h(
    'span.reasons',
    {},
    present.map((r) => h('span.reason', { dataset: { reason: r } }, `${t.servicePage.reason[r]} ${reasons[r]}`)),
  )
}

/**
 * @param {any} ctx
 * @param {ServiceSummary} s
 */
function serviceRow(ctx, s) {
  const { t } = ctx
  const href = `#/service/${encodeURIComponent(s.id)}`
  const online = s.now.available + s.now.unavailable
  return h(
    'tr',
    {
      dataset: { serviceId: s.id },
      class: s.kiosks === 0 ? 'not-offered' : s.now.unavailable > 0 ? 'has-unavailable' : '',
      // The whole row opens the service; the name is the link for keyboards and screen readers.
      onclick: (event) => {
        if (!(event.target instanceof HTMLAnchorElement)) location.hash = href
      },
    },
    h(
      'th',
      { scope: 'row', 'data-label': t.servicePage.service },
      h('a', { href }, serviceName(ctx, s)),
      s.name ? h('small.service-id', {}, s.id) : null,
    ),
    h(
      'td.category',
      { 'data-label': t.servicePage.category },
      s.category ? (t.servicePage.categories[s.category] ?? s.category) : '—',
    ),
    h('td.num.offering', { 'data-label': t.servicePage.offering }, s.kiosks),
    h(
      'td.now',
      { 'data-label': t.servicePage.availableNow },
      online === 0
        ? h('span.muted', {}, '—')
        : h(
            'span',
            {},
            h(`b.${s.now.unavailable > 0 ? 'bad' : 'ok'}`, {}, `${s.now.available} / ${online}`),
            reasonChips(ctx, s.now.reasons),
          ),
    ),
    h(
      'td.num.unknown',
      { 'data-label': t.servicePage.unknownNow, class: s.now.unknown > 0 ? 'num unknown some' : 'num unknown' },
      s.now.unknown,
    ),
    h('td.window', { 'data-label': t.servicePage.window }, shareCell(ctx, s.window)),
  )
}

/**
 * The availability report export: a range of days (the window by default), by site or by service,
 * one row per range or per day; the link downloads the CSV (`/api/services/availability-report.csv`,
 * the session cookie goes with it), always within the user's scope.
 * @param {any} ctx
 * @param {{ from: string, to: string }} window
 */
function reportExport(ctx, window) {
  const { t } = ctx
  const r = t.servicePage.report
  const from = h('input', { type: 'date', name: 'from', value: window.from, required: true })
  const to = h('input', { type: 'date', name: 'to', value: window.to, required: true })
  const by = h(
    'select',
    { name: 'by' },
    h('option', { value: 'site' }, r.bySite),
    h('option', { value: 'service' }, r.byService),
  )
  const per = h(
    'select',
    { name: 'per' },
    h('option', { value: 'range' }, r.perRange),
    h('option', { value: 'day' }, r.perDay),
  )
  const link = h('a.button.export-csv', { download: '' }, r.exportCsv)
  const update = () => {
    const query = new URLSearchParams({ from: from.value, to: to.value, by: by.value, per: per.value })
    link.setAttribute('href', `/api/services/availability-report.csv?${query}`)
  }
  for (const input of [from, to, by, per]) input.addEventListener('change', update)
  update()
  const field = (label, input) => h('label', {}, h('span', {}, label), input)
  return h(
    'section.panel.report-export',
    { 'aria-labelledby': 'report-export-title' },
    h('h3', { id: 'report-export-title' }, r.title),
    h('p.muted.note', {}, r.note),
    h('div.report-fields', {}, field(r.from, from), field(r.to, to), field(r.by, by), field(r.per, per), link),
  )
}

/**
 * The services page: one panel per department of the catalogue, services kiosks report that it
 * does not know last.
 * @param {any} ctx
 * @param {{ overview: ServicesOverview }} data
 */
export function renderServices(ctx, { overview }) {
  const { t } = ctx
  const head = () =>
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [
          t.servicePage.service,
          t.servicePage.category,
          t.servicePage.offering,
          t.servicePage.availableNow,
          t.servicePage.unknownNow,
          t.servicePage.window,
        ].map((c) => h('th', { scope: 'col' }, c)),
      ),
    )
  return h(
    'div.services-page',
    {},
    h(
      'header.page-head',
      {},
      h('h2', {}, t.servicePage.title),
      h(
        'p.muted',
        {},
        `${t.servicePage.windowNote.replace('{days}', overview.window.days)} (${overview.window.from} – ${overview.window.to}) · ${t.servicePage.unknownNote}`,
      ),
    ),
    reportExport(ctx, overview.window),
    h(
      'div.departments',
      {},
      overview.departments.map((d) =>
        h(
          'section.panel.department',
          { dataset: { department: d.id }, class: d.known ? 'panel department' : 'panel department not-in-catalogue' },
          h(
            'h3',
            {},
            d.name ? d.name[ctx.lang] : t.servicePage.unknownDepartment,
            h(
              'small',
              {},
              `${d.services.length} ${d.services.length === 1 ? t.servicePage.countOne : t.servicePage.count}`,
            ),
          ),
          d.known ? null : h('p.muted.note', {}, t.servicePage.unknownDepartmentNote),
          h(
            'table.grid.service-table',
            {},
            h(
              'colgroup',
              {},
              ['name', 'category', 'offering', 'now', 'unknown', 'window'].map((c) => h(`col.col-${c}`)),
            ),
            head(),
            h(
              'tbody',
              {},
              d.services.map((s) => serviceRow(ctx, s)),
            ),
          ),
        ),
      ),
    ),
  )
}

/** @param {ServiceKioskAvailability} availability */
const availabilityClass = (availability) =>
  availability === 'available' ? 'ok' : availability === 'unavailable' ? 'bad' : 'off'

/**
 * One service: its figures, each day of the window, and a page of the kiosks offering it.
 * @param {any} ctx
 * @param {{ page: ServiceKiosksPage, offset: number, limit: number, availability: ServiceKioskAvailability | undefined }} data
 * @param {{ onPage: (offset: number) => void, onFilter: (availability: ServiceKioskAvailability | undefined) => void }} actions
 */
export function renderService(ctx, { page, offset, limit, availability }, { onPage, onFilter }) {
  const { t } = ctx
  const s = page.service
  const card = (label, value, cls = '', extra = null) =>
    h(`div.stat${cls ? `.${cls}` : ''}`, {}, h('span', {}, label), h('b', {}, value), extra)
  const days = h(
    'ol.days',
    { 'aria-label': `${t.servicePage.daily} (${page.window.from} – ${page.window.to})` },
    page.days.map((d) => {
      // The day's available share fills the bar from below; the rest shows as the red track. A day
      // without snapshots (no kiosk reported it) is an empty outline.
      const fill = h(`span.day-fill.${shareClass(d.share)}`)
      fill.style.height = `${d.share === null ? 0 : d.share * 100}%`
      return h(
        'li',
        { title: `${d.day}: ${percent(d.share)}`, dataset: { day: d.day }, class: d.snapshots === 0 ? 'no-data' : '' },
        fill,
      )
    }),
  )
  const filters = [
    [undefined, t.servicePage.all, s.kiosks],
    ['unavailable', t.servicePage.availability.unavailable, s.now.unavailable],
    ['unknown', t.servicePage.availability.unknown, s.now.unknown],
    ['available', t.servicePage.availability.available, s.now.available],
  ]
  const last = Math.min(offset + page.kiosks.length, page.total)
  return h(
    'div.service-page',
    { dataset: { serviceId: s.id } },
    h('p', {}, h('a', { href: '#/services' }, `← ${t.servicePage.back}`)),
    h(
      'header.page-head',
      {},
      h('h2', {}, serviceName(ctx, s), s.name ? h('small.service-id', {}, s.id) : null),
      h(
        'p.muted',
        {},
        [
          s.known ? null : t.servicePage.unknownDepartment,
          s.category ? (t.servicePage.categories[s.category] ?? s.category) : null,
          s.identity ? `${t.servicePage.identityLabel}: ${t.servicePage.identity[s.identity] ?? s.identity}` : null,
        ]
          .filter(Boolean)
          .join(' · '),
      ),
    ),
    h(
      'div.stats',
      {},
      card(t.servicePage.offering, s.kiosks),
      card(t.servicePage.availability.available, s.now.available, 'ok'),
      card(
        t.servicePage.availability.unavailable,
        s.now.unavailable,
        s.now.unavailable ? 'bad' : '',
        reasonChips(ctx, s.now.reasons),
      ),
      card(t.servicePage.unknownNow, s.now.unknown, s.now.unknown ? 'warn' : ''),
      card(`${t.servicePage.window}`, percent(s.window.share), shareClass(s.window.share)),
    ),
    h(
      'section.panel',
      {},
      h('h3', {}, t.servicePage.daily),
      days,
      h('p.muted.days-range', {}, h('span', {}, page.window.from), h('span', {}, page.window.to)),
    ),
    h(
      'section.panel',
      {},
      h('h3', {}, t.servicePage.kiosks),
      h(
        'div.filters',
        { role: 'group', 'aria-label': t.servicePage.filter },
        filters.map(([value, label, count]) =>
          h(
            'button',
            {
              type: 'button',
              dataset: { availability: value ?? 'all' },
              'aria-pressed': String(value === availability),
              onclick: () => onFilter(/** @type {ServiceKioskAvailability | undefined} */ (value)),
            },
            `${label} ${count}`,
          ),
        ),
      ),
      page.kiosks.length === 0
        ? h('p.empty', {}, t.servicePage.noKiosks)
        : h(
            'table.grid.service-kiosks',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                [
                  t.nav.kiosks,
                  t.servicePage.site,
                  t.servicePage.machineType,
                  t.status,
                  t.servicePage.availableNow,
                  t.servicePage.window,
                ].map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            h(
              'tbody',
              {},
              page.kiosks.map((k) =>
                h(
                  'tr',
                  { dataset: { kioskId: k.id, availability: k.availability } },
                  h(
                    'th',
                    { scope: 'row', 'data-label': t.nav.kiosks },
                    h('a', { href: `#/kiosk/${encodeURIComponent(k.id)}` }, k.id),
                  ),
                  h('td', { 'data-label': t.servicePage.site }, k.site?.name ?? '—'),
                  h(
                    'td',
                    { 'data-label': t.servicePage.machineType },
                    t.machine[k.machineType] ?? k.machineType ?? '—',
                  ),
                  h(
                    'td',
                    { 'data-label': t.status, title: `${t.lastSeen} ${time(k.lastSeenAt, ctx.lang)}` },
                    h(`span.badge.${k.state}`, {}, t.state[k.state] ?? k.state),
                  ),
                  h(
                    'td',
                    { 'data-label': t.servicePage.availableNow },
                    h(
                      `span.status.${availabilityClass(k.availability)}`,
                      {},
                      t.servicePage.availability[k.availability],
                      k.reason ? ` · ${t.servicePage.reason[k.reason]}` : '',
                    ),
                    k.blockedBy.length > 0 ? h('small.blocked-by', {}, ` ${k.blockedBy.join(', ')}`) : null,
                  ),
                  h('td.window', { 'data-label': t.servicePage.window }, shareCell(ctx, k.window)),
                ),
              ),
            ),
          ),
      page.total > limit || offset > 0
        ? h(
            'nav.pager',
            { 'aria-label': t.servicePage.pages },
            h(
              'button',
              { type: 'button', disabled: offset === 0, onclick: () => onPage(Math.max(0, offset - limit)) },
              t.servicePage.previous,
            ),
            h(
              'span',
              {},
              t.servicePage.range
                .replace('{first}', page.kiosks.length === 0 ? 0 : offset + 1)
                .replace('{last}', last)
                .replace('{total}', page.total),
            ),
            h(
              'button',
              { type: 'button', disabled: last >= page.total, onclick: () => onPage(offset + limit) },
              t.servicePage.next,
            ),
          )
        : null,
    ),
  )
}
