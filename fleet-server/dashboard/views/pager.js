// Paging controls of a server-side list: "x–y of N" between previous and next.
import { h } from '../dom.js'

/**
 * @param {{ t: Record<string, any> }} ctx
 * @param {{ total: number, offset: number, limit: number, shown: number }} page
 * @param {(offset: number) => void} onPage
 */
export function pager(ctx, { total, offset, limit, shown }, onPage) {
  const t = ctx.t.fleetList
  const last = Math.min(offset + shown, total)
  return h(
    'nav.pager',
    { 'aria-label': t.pages },
    h(
      'button.previous',
      { type: 'button', disabled: offset === 0, onclick: () => onPage(Math.max(0, offset - limit)) },
      t.previous,
    ),
    h(
      'span.range',
      {},
      t.range
        .replace('{first}', String(shown === 0 ? 0 : offset + 1))
        .replace('{last}', String(last))
        .replace('{total}', String(total)),
    ),
    h('button.next', { type: 'button', disabled: last >= total, onclick: () => onPage(offset + limit) }, t.next),
  )
}

/**
 * A labelled select; '' is "any".
 * @param {string} name
 * @param {string} label
 * @param {[string, string][]} options value and label
 * @param {string | undefined} value
 */
export function select(name, label, options, value) {
  return h(
    'label',
    {},
    h('span', {}, label),
    h(
      'select',
      { name },
      options.map(([v, text]) => h('option', { value: v, selected: (value ?? '') === v }, text)),
    ),
  )
}

/**
 * The form's fields as a query object, empty ones left out.
 * @param {HTMLFormElement} form
 * @returns {Record<string, string>}
 */
export function formQuery(form) {
  /** @type {Record<string, string>} */
  const query = {}
  for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v.trim() !== '') query[k] = v.trim()
  return query
}

/**
 * A list's filter bar: a search form that submits on Enter and when a select changes.
 * @param {(form: HTMLFormElement) => void} submit
 * @param {...unknown} fields
 */
export function filterBar(submit, ...fields) {
  return h(
    'form.list-filters',
    {
      role: 'search',
      onsubmit: (event) => {
        event.preventDefault()
        submit(event.currentTarget)
      },
      onchange: (event) => {
        if (event.target instanceof HTMLSelectElement) submit(event.currentTarget)
      },
    },
    ...fields,
  )
}
