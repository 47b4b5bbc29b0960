// A map of sites that needs no tile server: sites projected into an SVG, with an optional raster
// tile layer (Web Mercator, {z}/{x}/{y}) when a tile URL is configured.
import { h } from '../dom.js'

const NS = 'http://www.w3.org/2000/svg'
const svg = (tag, attrs = {}, ...children) => {
  const el = document.createElementNS(NS, tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v))
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)))
  return el
}

const mercator = (lat, lon, zoom) => {
  const scale = 256 * 2 ** zoom
  const x = ((lon + 180) / 360) * scale
  const s = Math.sin((lat * Math.PI) / 180)
  const y = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * scale
  return { x, y }
}

/**
 * @param {{ t: Record<string, any> }} ctx
 * @param {import('@kiosk-fleet/protocol/http').SiteSummary[]} sites
 * @param {{ width?: number, height?: number, tileUrl?: string }} [options]
 */
export function siteMap(ctx, sites, { width = 560, height = 360, tileUrl = undefined } = {}) {
  const placed = sites.filter((s) => typeof s.latitude === 'number' && typeof s.longitude === 'number')
  if (placed.length === 0) return h('p.empty', {}, '—')
  // Pick the largest zoom at which every site fits, with a margin.
  let zoom = 18
  let points
  for (; zoom > 1; zoom--) {
    points = placed.map((s) => ({ site: s, ...mercator(s.latitude, s.longitude, zoom) }))
    const xs = points.map((p) => p.x)
    const ys = points.map((p) => p.y)
    if (Math.max(...xs) - Math.min(...xs) < width * 0.7 && Math.max(...ys) - Math.min(...ys) < height * 0.7) break
  }
  const cx = (Math.max(...points.map((p) => p.x)) + Math.min(...points.map((p) => p.x))) / 2
  const cy = (Math.max(...points.map((p) => p.y)) + Math.min(...points.map((p) => p.y))) / 2
  const left = cx - width / 2
  const top = cy - height / 2
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': ctx.t.map,
    class: 'site-map',
  })
  root.append(svg('rect', { width, height, class: 'map-bg' }))
  if (tileUrl) {
    for (let tx = Math.floor(left / 256); tx <= Math.floor((left + width) / 256); tx++) {
      for (let ty = Math.floor(top / 256); ty <= Math.floor((top + height) / 256); ty++) {
        const href = tileUrl.replace('{z}', String(zoom)).replace('{x}', String(tx)).replace('{y}', String(ty))
        root.append(svg('image', { href, x: tx * 256 - left, y: ty * 256 - top, width: 256, height: 256 }))
      }
    }
  } else {
    for (let i = 1; i < 6; i++) {
      root.append(svg('line', { x1: (width * i) / 6, y1: 0, x2: (width * i) / 6, y2: height, class: 'map-grid' }))
      root.append(svg('line', { x1: 0, y1: (height * i) / 6, x2: width, y2: (height * i) / 6, class: 'map-grid' }))
    }
  }
  for (const p of points) {
    const x = p.x - left
    const y = p.y - top
    const state =
      p.site.kiosks === 0 ? 'none' : p.site.online === p.site.kiosks ? 'ok' : p.site.online === 0 ? 'bad' : 'warn'
    const r = p.site.kind === 'townCentre' ? 9 : 6
    const marker = svg(
      'g',
      { class: `map-site ${state}`, 'data-site-id': p.site.id },
      svg('title', {}, `${p.site.name}: ${p.site.online}/${p.site.kiosks}`),
      svg('circle', { cx: x, cy: y, r }),
      svg('text', { x: x + r + 4, y: y + 4 }, `${p.site.name} ${p.site.online}/${p.site.kiosks}`),
    )
    root.append(marker)
  }
  return h('div.map-wrap', {}, root)
}
