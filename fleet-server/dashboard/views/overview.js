// Fleet overview: counts, breakdowns by machine type, department and county, and the site tree (the
// map has its own page, #/map).
import { h } from '../dom.js'

function breakdownTable(ctx, title, rows, label) {
  const { t } = ctx
  return h(
    'section.panel',
    {},
    h('h2', {}, title),
    h(
      'table.grid',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['key', 'total', 'online', 'offline', 'faulted'].map((c) => h('th', { scope: 'col' }, t.columns[c])),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, label(r.key)),
            h('td', {}, r.total),
            h('td.ok', {}, r.online),
            h('td', { class: r.offline ? 'bad' : '' }, r.offline),
            h('td', { class: r.faulted ? 'warn' : '' }, r.faulted),
          ),
        ),
      ),
    ),
  )
}

/** city → county → town centre → village stations, from the sites the caller may see. */
function siteTree(ctx, sites) {
  const { t } = ctx
  const cities = new Map()
  for (const s of sites) {
    if (!cities.has(s.city)) cities.set(s.city, new Map())
    const counties = cities.get(s.city)
    if (!counties.has(s.county)) counties.set(s.county, new Map())
    const towns = counties.get(s.county)
    if (!towns.has(s.town)) towns.set(s.town, { centre: undefined, stations: [] })
    const town = towns.get(s.town)
    if (s.kind === 'townCentre') town.centre = s
    else town.stations.push(s)
  }
  const siteLabel = (s) =>
    h('span', { dataset: { siteId: s.id } }, `${s.name} `, h('span.count', {}, `${s.online}/${s.kiosks}`))
  const siteItem = (s) => h('li', {}, siteLabel(s))
  return h(
    'section.panel',
    {},
    h('h2', {}, t.siteTree),
    h(
      'ul.tree',
      {},
      [...cities].map(([city, counties]) =>
        h(
          'li',
          {},
          city,
          h(
            'ul',
            {},
            [...counties].map(([county, towns]) =>
              h(
                'li',
                {},
                county,
                h(
                  'ul',
                  {},
                  [...towns].map(([town, { centre, stations }]) =>
                    h(
                      'li',
                      {},
                      centre ? siteLabel(centre) : town,
                      stations.length ? h('ul', {}, stations.map(siteItem)) : null,
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  )
}

/**
 * @param {any} ctx
 * @param {{ overview: import('@kiosk-fleet/protocol/http').FleetOverview, sites: import('@kiosk-fleet/protocol/http').SiteSummary[] }} data
 */
export function renderOverview(ctx, { overview, sites }) {
  const { t } = ctx
  const card = (label, value, cls = '') =>
    h(`div.stat${cls ? `.${cls}` : ''}`, {}, h('span', {}, label), h('b', {}, value))
  return h(
    'div.overview',
    {},
    h(
      'div.stats',
      {},
      card(t.total, overview.total),
      card(t.online, overview.online, 'ok'),
      card(t.offline, overview.offline, overview.offline ? 'bad' : ''),
      card(t.faulted, overview.faulted, overview.faulted ? 'warn' : ''),
      card(
        `${t.openAlerts} · ${t.severity.critical}`,
        overview.openAlerts.critical,
        overview.openAlerts.critical ? 'bad' : '',
      ),
      card(
        `${t.openAlerts} · ${t.severity.warning}`,
        overview.openAlerts.warning,
        overview.openAlerts.warning ? 'warn' : '',
      ),
    ),
    h(
      'div.columns',
      {},
      h('div', {}, siteTree(ctx, sites)),
      h(
        'div',
        {},
        breakdownTable(ctx, t.byMachineType, overview.byMachineType, (k) => t.machine[k] ?? k),
        breakdownTable(ctx, t.byDepartment, overview.byDepartment, (k) => t.department[k] ?? k),
        breakdownTable(ctx, t.byCounty, overview.byCounty, (k) => k),
      ),
    ),
  )
}
