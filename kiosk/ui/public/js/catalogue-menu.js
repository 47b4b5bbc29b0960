import { h } from './dom.js'
import { loc } from './i18n-catalogue.js'

/**
 * The menu of a kiosk with many services: most used first, by topic, by department, or found by
 * typing pinyin initials, tapping a word, or typing on a keyboard if one is attached. Paging never
 * hides an item: every page says where it is and how many there are. Pure: state in, elements out
 * (but for the search field taking back the focus after a render).
 */

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('')
/** A Chinese word of two to four characters: a keyword, a short name. */
const CHINESE_WORD = /^[\u4e00-\u9fff]{2,4}$/
/** English words too common to be a search word; `use` and `and` hide in "household" and "land". */
const ENGLISH_FILLER = new Set(['and', 'the', 'for', 'all', 'your', 'use', 'with', 'from'])
/**
 * Room for search words, in widths of a Chinese character of their type: one row on a wide screen
 * (the home button stays in view), two on a tall one, one to two in elderly mode's larger type.
 */
const WORDS_ROOM = { landscape: 50, portrait: 72, elderly: 32 }
/** A word's width in those units: Latin letters are about half as wide; padding and gap about two. */
const wordWidth = (word) => [...word].reduce((w, c) => w + (c > '\u2e80' ? 1 : 0.45), 1.9)

/**
 * What a citizen may tap to search, in the screen's language, since a kiosk has no Chinese
 * keyboard: in Chinese the offered services' short Chinese keywords and names and the departments'
 * short names; in English the words of the services' English names and the departments' English
 * short names ("housing fund"). Each word counts the services it finds as the search box does;
 * words finding fewer than two are left out, and so is a word finding just what a word before it
 * found or holding one (登记进度 after 登记, "records" after "record"). Those finding the most
 * come first, a department's own short name before a synonym.
 * @param {{ services: import('@kiosk-fleet/protocol/local-api').OfferedService[],
 *   departments: { shortName: { zh: string, en: string } }[] }} status
 * @param {'zh' | 'en'} lang
 * @returns {string[]} every qualifying word, best first (the screen shows the first few)
 */
export function searchWords(status, lang) {
  const curated = new Set(status.departments.map((d) => d.shortName[lang].toLowerCase()))
  const candidates = new Set(curated)
  for (const service of status.services) {
    if (lang === 'zh') for (const key of service.search) candidates.add(key)
    else for (const word of service.name.en.toLowerCase().match(/[a-z]{3,}/g) ?? []) candidates.add(word)
  }
  const ranked = [...candidates]
    .filter((w) => (lang === 'zh' ? CHINESE_WORD.test(w) : /^[a-z]+( [a-z]+)?$/.test(w) && !ENGLISH_FILLER.has(w)))
    .map((word) => ({ word, found: searchServices(status.services, word).map((x) => x.serviceId) }))
    .filter((x) => x.found.length >= 2)
    .sort(
      (a, b) =>
        b.found.length - a.found.length ||
        Number(curated.has(b.word)) - Number(curated.has(a.word)) ||
        a.word.length - b.word.length ||
        a.word.localeCompare(b.word, lang),
    )
  const chosen = []
  const sets = new Set()
  for (const { word, found } of ranked) {
    const set = [...found].sort().join()
    if (sets.has(set) || chosen.some((w) => w.includes(word) || word.includes(w))) continue
    sets.add(set)
    chosen.push(word)
  }
  return chosen
}

/** searchWords per status and language: the menu renders on every key. */
const wordsMemo = new WeakMap()
function shownWords(s) {
  const byLang = wordsMemo.get(s.status) ?? new Map()
  wordsMemo.set(s.status, byLang)
  if (!byLang.has(s.lang)) byLang.set(s.lang, searchWords(s.status, s.lang))
  const shape = s.elderly ? 'elderly' : window.innerWidth > window.innerHeight ? 'landscape' : 'portrait'
  let room = WORDS_ROOM[shape]
  const shown = []
  for (const word of byLang.get(s.lang)) {
    room -= wordWidth(word)
    if (room < 0) break
    shown.push(word)
  }
  return shown
}

/**
 * Tiles per page for the screen's shape and the text size (3×3 landscape, 2×6 portrait, 2×2
 * elderly); a row fewer while searching (3×2, 2×5, 2×1 elderly landscape), so the keypad, the
 * words, the pager and home still fit on the screen.
 */
export function perPage(s) {
  const landscape = window.innerWidth > window.innerHeight
  const search = s.menu.mode === 'search'
  if (s.elderly) return search && landscape ? 2 : 4
  if (search) return landscape ? 6 : 10
  return landscape ? 9 : 12
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

/**
 * The search field: the query as the citizen sees it (large, in Chinese when Chinese was tapped or
 * typed), and over it, transparent, the field a physical keyboard or a Chinese input method types
 * into if one is attached: so the input method's candidates open at the field. It keeps the focus
 * across re-renders (inputmode none keeps a touch keyboard away) and searches once a word is
 * composed, never mid-composition.
 */
function searchField(t, s, act) {
  const input = h('input', {
    type: 'text',
    class: 'search-typed',
    inputmode: 'none',
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: '12',
    'aria-label': t.searchType,
    oninput: (e) => !e.isComposing && act.searchWord(input.value.trim()),
    oncompositionend: () => act.searchWord(input.value.trim()),
    onkeydown: (e) => e.key === 'Escape' && act.searchWord(''),
  })
  input.value = s.menu.query
  // The screen is rebuilt on every change; give the new field the focus the old one had.
  queueMicrotask(() => {
    const focused = document.activeElement
    if (input.isConnected && (!focused || focused === document.body)) {
      input.focus({ preventScroll: true })
      input.setSelectionRange(input.value.length, input.value.length)
    }
  })
  return h(
    'div',
    { class: 'search-field' },
    h('output', { class: 'search-entry', 'aria-live': 'polite', 'aria-label': t.search }, s.menu.query),
    input,
  )
}

function searchBox(t, s, act) {
  return h(
    'div',
    { class: 'search' },
    searchField(t, s, act),
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
            'aria-label': k === '⌫' ? t.searchDelete : k,
            onclick: () => act.searchKey(k === '⌫' ? 'back' : k.toLowerCase()),
          },
          k,
        ),
      ),
    ),
    h(
      'div',
      { class: 'chips words', role: 'group', 'aria-label': t.searchWords },
      shownWords(s).map((word) =>
        h(
          'button',
          {
            type: 'button',
            class: 'chip',
            'data-word': word,
            'aria-pressed': String(s.menu.query === word),
            // A word replaces what was typed (one word, one result list); tapped again, it clears.
            onclick: () => act.searchWord(s.menu.query === word ? '' : word),
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
