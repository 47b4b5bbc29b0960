import { h } from './dom.js'
import { loc } from './i18n-catalogue.js'

/**
 * The menu of a kiosk with many services: most used first, by topic, by department, or found by
 * typing pinyin initials. Paging never hides an item: every page says where it is and how many
 * there are. Pure: state in, elements out.
 */

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('')
/** A Chinese word of two to four characters: a keyword, a short name. */
const CHINESE_WORD = /^[\u4e00-\u9fff]{2,4}$/

/**
 * The Chinese words a citizen can tap to search, since a kiosk has no Chinese keyboard: the
 * offered services' own short Chinese search keys (keywords, short names) that find at least two
 * of them, those finding the most first.
 */
export function searchWords(services, max = 12) {
  const counts = new Map()
  for (const service of services) {
    for (const key of new Set(service.search)) if (CHINESE_WORD.test(key)) counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return [...counts]
    .filter(([, n]) => n >= 2)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'zh'))
    .slice(0, max)
    .map(([word]) => word)
}

/** Tiles per page for the screen's shape and the text size (3×3 landscape, 2×6 portrait, 2×2 elderly). */
export function perPage(s) {
  if (s.elderly) return 4
  return window.innerWidth > window.innerHeight ? 9 : 12
}

/** The most used first (completed transactions on this kiosk), then the catalogue's order. */
export function byUse(services) {
  return services
    .map((service, index) => ({ service, index }))
    .sort((a, b) => b.service.uses - a.service.uses || a.index - b.index)
    .map((x) => x.service)
}

/** Services whose names, keywords or pinyin (whole or initials) contain the typed text. */
export function searchServices(services, query) {
  const q = query.toLowerCase().replace(/\s+/g, '')
  if (!q) return services
  const starts = services.filter((s) => s.search.some((k) => k.startsWith(q)))
  const contains = services.filter((s) => !starts.includes(s) && s.search.some((k) => k.includes(q)))
  return [...starts, ...contains]
}

/** What the menu shows now, before paging. */
export function menuServices(s) {
  const all = byUse(s.status.services)
  const menu = s.menu
  if (menu.mode === 'category' && menu.key) return all.filter((x) => x.category === menu.key)
  if (menu.mode === 'department' && menu.key) return all.filter((x) => x.department === menu.key)
  if (menu.mode === 'search') return searchServices(all, menu.query)
  return all
}

const button = (label, onclick, cls, extra = {}) =>
  h('button', { type: 'button', class: `btn ${cls}`, onclick, ...extra }, label)

function tile(t, s, act, service) {
  const department = s.status.departments.find((d) => d.id === service.department)
  const reason = service.available
    ? loc(service.guidance, s.lang)
    : `${t.unavailable}：${service.blockedClasses.map((c) => t.blockedBy[c] ?? c).join('；') || t.unavailableReason[service.reason] || ''}`
  return h(
    'li',
    {},
    h(
      'button',
      {
        type: 'button',
        class: `tile${service.available ? '' : ' disabled'}`,
        'data-service': service.serviceId,
        'aria-disabled': service.available ? undefined : 'true',
        onclick: () => service.available && act.choose(service.serviceId),
      },
      department ? h('span', { class: 'tile-department' }, loc(department.shortName, s.lang)) : null,
      h('span', { class: 'tile-title' }, loc(service.name, s.lang)),
      h('span', { class: 'tile-hint' }, reason),
    ),
  )
}

function tabs(t, s, act) {
  const mode = s.menu.mode
  const tab = (id, label) =>
    h(
      'button',
      {
        type: 'button',
        class: 'tab',
        'data-mode': id,
        'aria-pressed': String(mode === id),
        onclick: () => act.menuMode(id),
      },
      label,
    )
  return h(
    'div',
    { class: 'menu-tabs' },
    tab('popular', t.popular),
    tab('category', t.byCategory),
    tab('department', t.byDepartment),
    tab('search', t.search),
  )
}

function chips(s, act, items, attr) {
  return h(
    'div',
    { class: 'chips' },
    items.map((item) =>
      h(
        'button',
        {
          type: 'button',
          class: 'chip',
          [attr]: item.id,
          'aria-pressed': String(s.menu.key === item.id),
          onclick: () => act.menuKey(item.id),
        },
        loc(item.shortName ?? item.name, s.lang),
      ),
    ),
  )
}

function searchBox(t, s, act) {
  return h(
    'div',
    { class: 'search' },
    h('output', { class: 'search-entry', 'aria-live': 'polite', 'aria-label': t.search }, s.menu.query || ' '),
    h('p', { class: 'hint' }, t.searchHint),
    h(
      'div',
      { class: 'letters' },
      [...LETTERS, '⌫'].map((k) =>
        h(
          'button',
          {
            type: 'button',
            class: 'letter',
            'data-letter': k,
            'aria-label': k === '⌫' ? 'delete' : k,
            onclick: () => act.searchKey(k === '⌫' ? 'back' : k.toLowerCase()),
          },
          k,
        ),
      ),
    ),
    h(
      'div',
      { class: 'chips words', role: 'group', 'aria-label': t.searchWords },
      searchWords(s.status.services).map((word) =>
        h(
          'button',
          {
            type: 'button',
            class: 'chip',
            'data-word': word,
            'aria-pressed': String(s.menu.query === word),
            onclick: () => act.searchWord(word),
          },
          word,
        ),
      ),
    ),
  )
}

export function menuScreen(t, s, act) {
  const services = menuServices(s)
  const size = perPage(s)
  const many = s.status.services.length > size
  const pages = Math.max(1, Math.ceil(services.length / size))
  const page = Math.min(s.menu.page, pages - 1)
  const shown = services.slice(page * size, page * size + size)
  const mode = s.menu.mode
  return h(
    'section',
    { class: 'screen menu', 'data-screen': 'menu', 'data-mode': mode },
    h('h1', {}, t.chooseService),
    many ? tabs(t, s, act) : null,
    mode === 'category' ? chips(s, act, s.status.categories, 'data-category') : null,
    mode === 'department' ? chips(s, act, s.status.departments, 'data-department') : null,
    mode === 'search' ? searchBox(t, s, act) : null,
    shown.length === 0 ? h('p', { class: 'warning', role: 'status' }, t.searchEmpty) : null,
    h(
      'ul',
      { class: `tiles${many ? ' compact' : ''}` },
      shown.map((service) => tile(t, s, act, service)),
    ),
    pages > 1
      ? h(
          'div',
          { class: 'pager' },
          button(t.previous, act.previousPage, 'secondary', { disabled: page === 0 }),
          h('span', { class: 'page-of', role: 'status' }, t.pageOf(page + 1, pages, services.length)),
          button(t.next, act.nextPage, 'secondary', { disabled: page === pages - 1 }),
        )
      : null,
    h('div', { class: 'actions' }, button(t.home, act.home, 'secondary')),
  )
}
