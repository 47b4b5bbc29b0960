// Create a rollout: artifact, target (machine types, departments, sites), groups and thresholds;
// a preview of how many kiosks are selected per group and which are left out and why (no device of
// the model, another hardware revision or machine type, an old app, department not approved) must be
// seen before the rollout can be created.
import { fill } from '../admin-labels.js'
import { h } from '../dom.js'
import { splitList } from './users.js'

/** `5, 10%, 100%` → `[{count: 5}, {percent: 10}, {percent: 100}]`; undefined when malformed. */
export function parseGroups(text) {
  const groups = splitList(text).map((part) => {
    const percent = /^(\d+(?:\.\d+)?)%$/.exec(part)
    if (percent) return { percent: Number(percent[1]) }
    return /^\d+$/.test(part) ? { count: Number(part) } : undefined
  })
  return groups.length > 0 && groups.every(Boolean) ? groups : undefined
}

/**
 * The left-out kiosks of a preview, each with its reason and what it has against what the artifact
 * needs; empty when none is left out.
 * @param {any} a the admin labels
 * @param {{kioskId: string, reason: string, has: string[], needs: string[], detail: string}[]} leftOut
 * @param {number} total every left-out kiosk, of which the API lists the first ones
 */
export function renderLeftOut(a, leftOut, total) {
  if (leftOut.length === 0) return []
  const list = (values) => (values.length > 0 ? values.join(', ') : a.nothing)
  return [
    h('h4', {}, a.leftOutTitle, leftOut.length < total ? fill(a.leftOutFirst, { n: leftOut.length }) : ''),
    h(
      'table.grid.left-out',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [a.leftOutKiosk, a.leftOutReasonCol, a.leftOutDetail].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        leftOut.map((k) =>
          h(
            'tr',
            { dataset: { kioskId: k.kioskId, reason: k.reason }, title: k.detail },
            h('th', { scope: 'row' }, h('a', { href: `#/kiosk/${encodeURIComponent(k.kioskId)}` }, k.kioskId)),
            h('td', {}, h('span.reason', {}, a.leftOutReason[k.reason] ?? k.reason)),
            h(
              'td.has',
              {},
              a.leftOutHas[k.reason]
                ? fill(a.leftOutHas[k.reason], { has: list(k.has), needs: list(k.needs) })
                : k.detail,
            ),
          ),
        ),
      ),
    ),
  ]
}

/**
 * @param {{t: any}} ctx
 * @param {{artifacts: any[], known: {departments: string[], sites: string[]}}} data
 * @param {{send: (method: string, path: string, body?: unknown) => Promise<{ok: boolean, answer: any, error?: string}>, done: (rolloutId: string) => void}} io
 */
export function renderNewRollout(ctx, { artifacts, known }, io) {
  const { t } = ctx
  const a = t.admin
  const u = t.updates
  const ready = artifacts.filter((x) => x.status === 'ready')
  if (ready.length === 0) return h('p.empty', {}, a.noReadyArtifacts)
  const output = h('p.action-result', { role: 'status' })
  const previewBox = h('div.rollout-preview', { 'aria-live': 'polite' })
  const create = h('button.create', { type: 'button', disabled: true }, a.confirmCreate)
  let previewed = null

  const bodyOf = () => {
    const data = new FormData(form)
    const filter = {
      machineTypes: data.getAll('machineTypes').map(String),
      departments: splitList(data.get('departments')),
      sites: splitList(data.get('sites')),
    }
    return {
      name: String(data.get('name')).trim(),
      artifactId: String(data.get('artifactId')),
      filter,
      groups: parseGroups(data.get('groups')),
      successThreshold: Number(data.get('successThreshold')),
      errorThreshold: Number(data.get('errorThreshold')),
      errorMinSample: Number(data.get('errorMinSample')),
      installMode: String(data.get('installMode')),
      kioskTimeoutMs: Math.round(Number(data.get('kioskTimeoutH')) * 3_600_000),
    }
  }

  const stale = () => {
    if (previewed === null) return
    previewed = null
    create.disabled = true
    previewBox.replaceChildren(h('p.warn', {}, a.previewStale))
  }

  const preview = async () => {
    const body = bodyOf()
    if (!body.groups) {
      output.textContent = a.badGroups
      return
    }
    output.textContent = '…'
    const answer = await io.send('POST', '/api/rollouts/preview', {
      artifactId: body.artifactId,
      filter: body.filter,
      groups: body.groups,
    })
    if (!answer.ok) {
      output.textContent = `${a.failed}: ${answer.error}`
      previewBox.replaceChildren()
      return
    }
    output.textContent = ''
    const p = answer.answer
    previewBox.replaceChildren(
      h('h3', {}, a.previewTitle),
      h('p.selected', { dataset: { selected: String(p.selected) } }, fill(a.selected, p)),
      h(
        'ul.excluded',
        {},
        h('li', { dataset: { reason: 'incompatible' } }, fill(a.incompatible, { n: p.excluded.incompatible })),
        h('li', { dataset: { reason: 'notApproved' } }, fill(a.notApproved, { n: p.excluded.notApproved })),
      ),
      ...renderLeftOut(a, p.leftOut ?? [], p.excluded.incompatible + p.excluded.notApproved),
      h(
        'ol.groups',
        {},
        p.groups.map((count, i) => h('li', { dataset: { group: String(i) } }, fill(a.group, { n: i + 1, count }))),
      ),
    )
    previewed = JSON.stringify(body)
    create.disabled = p.selected === 0
  }

  create.addEventListener('click', async () => {
    const body = bodyOf()
    if (previewed !== JSON.stringify(body)) return stale()
    output.textContent = '…'
    const answer = await io.send('POST', '/api/rollouts', body)
    if (!answer.ok) {
      output.textContent = `${a.failed}: ${answer.error}`
      return
    }
    io.done(answer.answer.id ?? answer.answer.rollout?.id)
  })

  const number = (name, value, attrs) =>
    h('label', {}, h('span', {}, a[name]), h('input', { name, type: 'number', value, required: true, ...attrs }))
  const form = h(
    'form.rollout-form.inline-form',
    {
      oninput: stale,
      onchange: stale,
      onsubmit: (event) => {
        event.preventDefault()
        preview()
      },
    },
    h('h2', {}, a.newRollout),
    h('label', {}, h('span', {}, a.name), h('input', { name: 'name', required: true, maxlength: 200 })),
    h(
      'label.wide',
      {},
      h('span', {}, a.artifact),
      h(
        'select',
        { name: 'artifactId' },
        ready.map((x) =>
          h('option', { value: x.id }, `${u.kind[x.kind] ?? x.kind} ${x.deviceModel ?? ''} ${x.version} (${x.id})`),
        ),
      ),
    ),
    h(
      'fieldset.target',
      {},
      h('legend', {}, a.targetFilter),
      h(
        'div.machine-types',
        {},
        Object.entries(t.machine).map(([id, label]) =>
          h('label.check', {}, h('input', { type: 'checkbox', name: 'machineTypes', value: id }), label),
        ),
      ),
      h(
        'label',
        {},
        h('span', {}, a.departments),
        h('input', { name: 'departments', list: 'rollout-departments', placeholder: a.listHint }),
      ),
      h(
        'label',
        {},
        h('span', {}, a.sites),
        h('input', { name: 'sites', list: 'rollout-sites', placeholder: a.listHint }),
      ),
    ),
    h(
      'label',
      {},
      h('span', {}, a.groups),
      h('input', { name: 'groups', value: '10%, 50%, 100%', title: a.groupsHint, required: true }),
    ),
    number('successThreshold', '0.95', { min: 0.01, max: 1, step: 0.01 }),
    number('errorThreshold', '0.1', { min: 0, max: 1, step: 0.01 }),
    number('errorMinSample', '3', { min: 1, step: 1 }),
    h(
      'label',
      {},
      h('span', {}, a.installMode),
      h(
        'select',
        { name: 'installMode' },
        ['window', 'immediate'].map((m) => h('option', { value: m }, u.installMode[m])),
      ),
    ),
    number('kioskTimeoutH', '24', { min: 1, max: 720, step: 1 }),
    h(
      'datalist',
      { id: 'rollout-departments' },
      known.departments.map((d) => h('option', { value: d })),
    ),
    h(
      'datalist',
      { id: 'rollout-sites' },
      known.sites.map((s) => h('option', { value: s })),
    ),
    h('div.command-buttons', {}, h('button.preview', { type: 'submit' }, a.preview), create),
  )
  return h(
    'div.admin-page.rollout-new-page',
    {},
    h('p', {}, h('a', { href: '#/rollouts' }, `← ${t.back}`)),
    h('section.panel', {}, form, output, previewBox),
  )
}
