// Kiosks grouped by county and site, as cards with their peripherals and services.
import { h, time } from '../dom.js'
import { statusClass, statusText } from '../status.js'

/** @typedef {import('@kiosk-fleet/protocol/http').KioskView} KioskView */

/**
 * @param {{ t: Record<string, any>, lang: string }} ctx
 * @param {KioskView} kiosk
 */
export function kioskCard(ctx, kiosk) {
  const { t } = ctx
  const blocked = kiosk.services.filter((s) => !s.available)
  return h(
    'article.kiosk',
    { dataset: { kioskId: kiosk.id }, class: `kiosk${kiosk.state === 'online' ? '' : ' is-offline'}` },
    h(
      'header',
      {},
      h(`span.badge.${kiosk.state}`, {}, t.state[kiosk.state] ?? kiosk.state),
      h('h3', {}, h('a', { href: `#/kiosk/${encodeURIComponent(kiosk.id)}` }, kiosk.id)),
      h('span.type', {}, t.machine[kiosk.machineType] ?? kiosk.machineType ?? ''),
    ),
    h('p.meta', {}, `${t.lastSeen} ${time(kiosk.lastSeenAt, ctx.lang)} · ${t.app} ${kiosk.appVersion ?? '—'}`),
    h(
      'ul.peripherals',
      {},
      kiosk.peripherals.map((p) =>
        h(
          'li',
          { dataset: { deviceId: p.deviceId } },
          h(
            'span',
            { title: `${p.deviceId} fw ${p.firmware || '—'} sn ${p.serial || '—'}` },
            `${t.device[p.deviceClass] ?? p.deviceClass ?? p.deviceId} · ${p.vendor ?? ''} ${p.model ?? ''}`,
          ),
          h(`span.status.${statusClass(p.status)}`, {}, statusText(t, p.status)),
        ),
      ),
    ),
    h(
      'p.services',
      {},
      blocked.length === 0
        ? t.servicesOk
        : h(
            'span.blocked',
            {},
            `${t.unavailable}: ${blocked.map((s) => t.service[s.serviceId] ?? s.serviceId).join(', ')}`,
          ),
    ),
  )
}

export function renderKiosks(ctx) {
  const { t } = ctx
  const list = [...ctx.kiosks.values()].sort((a, b) => a.id.localeCompare(b.id))
  if (list.length === 0) return h('p.empty', {}, t.none)
  const byCounty = new Map()
  for (const kiosk of list) {
    const site = kiosk.site ?? { id: '—', name: '—', kind: '', city: '', county: '—', town: '' }
    const county = `${site.city} ${site.county}`.trim()
    if (!byCounty.has(county)) byCounty.set(county, new Map())
    const sites = byCounty.get(county)
    if (!sites.has(site.id)) sites.set(site.id, { site, kiosks: [] })
    sites.get(site.id).kiosks.push(kiosk)
  }
  const order = (a, b) =>
    a.site.kind === b.site.kind ? a.site.id.localeCompare(b.site.id) : a.site.kind === 'townCentre' ? -1 : 1
  return h(
    'div',
    {},
    [...byCounty].map(([county, sites]) =>
      h(
        'section.county',
        {},
        h('h2', {}, county),
        [...sites.values()].sort(order).map(({ site, kiosks }) =>
          h(
            'section.site',
            { dataset: { siteId: site.id } },
            h('h3', {}, site.name, h('small', {}, `${t[site.kind] ?? ''} · ${site.town}`)),
            h(
              'div.kiosks',
              {},
              kiosks.map((k) => kioskCard(ctx, k)),
            ),
          ),
        ),
      ),
    ),
  )
}
