// The site map: Leaflet and leaflet.markercluster (classic scripts served from their npm packages,
// window.L) over the configured base map — none by default: the clustered sites on a plain ground,
// which needs no network. A cluster takes the colour of its worst site and rings the shares of each;
// live refreshes redraw only the sites that changed, keeping the zoom, the place and an open popup.
import { h } from '../dom.js'

/** Site statuses of `GET /api/map`, worst first, and their colours (style.css). */
const STATUSES = ['offline', 'fault', 'ok', 'closed', 'empty']
const COLOURS = { offline: '#b3261e', fault: '#c98a00', ok: '#1e7b3a', closed: '#5b7fa6', empty: '#a3adb8' }

/**
 * @param {{ t: Record<string, any> }} ctx
 * @param {{ map: import('@kiosk-fleet/protocol/http').MapSites, baseMap: import('@kiosk-fleet/protocol/http').BaseMapView }} data
 * @returns {{ element: HTMLElement, update: (map: import('@kiosk-fleet/protocol/http').MapSites) => void, remove: () => void }}
 */
export function siteMap(ctx, { map, baseMap }) {
  const t = ctx.t.siteMap
  const L = /** @type {any} */ (globalThis).L
  if (typeof L?.markerClusterGroup !== 'function') {
    const missing = h('p.error', { role: 'alert' }, t.missing)
    return { element: missing, update: () => undefined, remove: () => undefined }
  }
  const container = h(`div.site-map.base-${baseMap.kind}`, { role: 'region', 'aria-label': t.title })
  const legend = h('ul.map-legend')
  const note = h('p.map-note')
  const leaflet = L.map(container, { maxZoom: baseMap.maxZoom, minZoom: 3 })
  for (const layer of baseMap.layers) {
    L.tileLayer(layer.url, {
      maxZoom: baseMap.maxZoom,
      ...(layer.subdomains ? { subdomains: layer.subdomains } : {}),
      attribution: layer.attribution ?? '',
    }).addTo(leaflet)
  }
  const clusters = L.markerClusterGroup({
    chunkedLoading: true,
    showCoverageOnHover: false,
    maxClusterRadius: 56,
    iconCreateFunction: (cluster) => clusterIcon(L, t, cluster),
  })
  leaflet.addLayer(clusters)

  /** Site id → its marker and the row it shows: a refresh touches only the sites that changed. */
  const shown = new Map()
  let bounds
  const icon = ([, , kind, , , , , , status]) =>
    L.divIcon({
      className: `site-marker status-${status} ${kind}`,
      iconSize: kind === 'townCentre' ? [18, 18] : [14, 14],
    })
  const popup = (entry) => {
    const [id, name, , , , kiosks, offline, faults, status] = entry.row
    return h(
      'div.site-popup',
      { dataset: { siteId: id } },
      h('b', {}, name),
      h('p', {}, `${t.status[status]} · ${t.kiosks} ${kiosks} · ${t.offline} ${offline} · ${t.faults} ${faults}`),
      h('a', { href: `#/kiosks?site=${encodeURIComponent(id)}` }, t.openKiosks),
    )
  }
  const update = (next) => {
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]))
    const added = []
    const changed = []
    const gone = new Set(shown.keys())
    for (const row of next.sites) {
      const [id, name, , lat, lon, , , , status] = row
      counts[status]++
      gone.delete(id)
      const entry = shown.get(id)
      if (entry?.row.join('\u0000') === row.join('\u0000')) continue
      if (entry && entry.row[3] === lat && entry.row[4] === lon) {
        Object.assign(entry.marker.options, { status, title: `${name} · ${t.status[status]}` })
        entry.marker.setIcon(icon(row))
        entry.row = row
        changed.push(entry.marker)
        continue
      }
      if (entry) clusters.removeLayer(entry.marker)
      const created = {
        row,
        marker: L.marker([lat, lon], { icon: icon(row), title: `${name} · ${t.status[status]}`, status }),
      }
      created.marker.bindPopup(() => popup(created))
      shown.set(id, created)
      added.push(created.marker)
    }
    clusters.removeLayers([...gone].map((id) => shown.get(id).marker))
    for (const id of gone) shown.delete(id)
    clusters.addLayers(added)
    // Clusters holding a site whose status changed redraw their colour and ring.
    if (changed.length > 0) clusters.refreshClusters(changed)
    legend.replaceChildren(
      ...STATUSES.map((s) =>
        h(`li.status-${s}`, {}, h('span.swatch', { 'aria-hidden': 'true' }), `${t.status[s]} ${counts[s]}`),
      ),
    )
    note.textContent = next.unplaced > 0 ? t.unplaced.replace('{n}', String(next.unplaced)) : ''
    bounds = next.sites.length > 0 ? L.latLngBounds(next.sites.map((s) => [s[3], s[4]])) : undefined
  }
  update(map)

  // Leaflet measures its container: fit the sites once it is on screen, follow its size after.
  let fitted = false
  const resize = new ResizeObserver(() => {
    if (container.clientWidth === 0) return
    leaflet.invalidateSize()
    if (fitted) return
    fitted = true
    if (bounds) leaflet.fitBounds(bounds, { padding: [24, 24] })
    else leaflet.setView([35, 105], 4)
  })
  resize.observe(container)

  return {
    element: h('section.panel.map-page', {}, h('h2', {}, t.title), legend, container, note),
    update,
    remove: () => {
      resize.disconnect()
      leaflet.remove()
    },
  }
}

/** A cluster: its site count, coloured by its worst site, ringed by the share of each status. */
function clusterIcon(L, t, cluster) {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]))
  for (const marker of cluster.getAllChildMarkers()) counts[marker.options.status]++
  const total = cluster.getChildCount()
  const worst = STATUSES.find((s) => counts[s] > 0) ?? 'empty'
  let from = 0
  const stops = STATUSES.filter((s) => counts[s] > 0).map((s) => {
    const to = from + (counts[s] / total) * 100
    const stop = `${COLOURS[s]} ${from}% ${to}%`
    from = to
    return stop
  })
  const title = STATUSES.filter((s) => counts[s] > 0)
    .map((s) => `${t.status[s]} ${counts[s]}`)
    .join(' · ')
  const ring = h('div', { title: `${t.sites} ${total}: ${title}` }, h('span', {}, total))
  // Through the CSSOM (the CSP allows no style attribute).
  ring.style.background = `conic-gradient(${stops.join(', ')})`
  const size = total < 10 ? 32 : total < 100 ? 40 : 48
  return L.divIcon({ html: ring, className: `site-cluster status-${worst}`, iconSize: L.point(size, size) })
}
