// Device models across the fleet (#/models): per model, devices in the field, faulty now, faults of
// the last 30 days by code with their rate, firmware versions. A vendor sees only its own models.
import { h } from '../dom.js'

/** @typedef {import('@kiosk-fleet/protocol/http').DeviceModelsHealthView} DeviceModelsHealthView */
/** @typedef {import('@kiosk-fleet/protocol/http').DeviceModelHealth} DeviceModelHealth */

const percent = (rate) => `${(rate * 100).toFixed(rate < 0.1 && rate > 0 ? 1 : 0)}%`

/**
 * @param {any} ctx
 * @param {DeviceModelHealth} m
 */
function modelRow(ctx, m) {
  const { t } = ctx
  const u = t.modelsPage
  return h(
    'tr',
    { dataset: { model: m.modelId ?? `${m.vendor}/${m.model}` } },
    h('td', {}, h('b', {}, m.model ?? '—'), h('div.meta', {}, m.modelId ?? u.noModelId)),
    h('td', {}, m.vendor ?? '—', h('div.meta', {}, m.vendorId ?? '')),
    h('td.num', {}, String(m.devices), h('div.meta', {}, `${m.kiosks} ${u.kiosks}`)),
    h(`td.num${m.faultyNow > 0 ? '.bad' : ''}`, {}, String(m.faultyNow)),
    h(
      'td.faults',
      {},
      m.faults.length === 0
        ? h('span.meta', {}, u.noFaults)
        : h(
            'ul.plain',
            {},
            m.faults.map((f) =>
              h(
                'li',
                { dataset: { code: f.code } },
                h('b', {}, f.code),
                ` ${percent(f.rate)} · ${f.devices} ${u.devices} · ${f.events} ${u.reports}`,
              ),
            ),
          ),
    ),
    h(
      'td',
      {},
      h(
        'ul.plain',
        {},
        m.firmware.map((f) => h('li', {}, h('code', {}, f.version ?? '—'), ` × ${f.devices}`)),
      ),
    ),
  )
}

/**
 * @param {any} ctx
 * @param {{ health: DeviceModelsHealthView }} data
 */
export function renderModels(ctx, { health }) {
  const { t } = ctx
  const u = t.modelsPage
  const columns = [
    u.model,
    u.vendor,
    u.devicesInFleet,
    u.faultyNow,
    u.faults.replace('{days}', health.windowDays),
    u.firmware,
  ]
  return h(
    'section.panel.models',
    {},
    h('h2', {}, u.title),
    h('p.meta', {}, u.note.replace('{days}', health.windowDays)),
    health.models.length === 0
      ? h('p.empty', {}, u.none)
      : h(
          'table.grid.models',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              columns.map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            {},
            health.models.map((m) => modelRow(ctx, m)),
          ),
        ),
  )
}
