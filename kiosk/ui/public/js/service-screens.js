import { h, svg } from './dom.js'
import { loc } from './i18n-catalogue.js'
import { OUT_OF_SERVICE } from './pictures.js'

/**
 * The screens of the one flow engine: the inputs a definition asks for (code, PIN, option, period,
 * document scan), the result view (records, facts, choices) with its output, and the QR code to
 * continue on a phone. Pure: state in, elements out; nothing here talks to the agent.
 */

const button = (label, onclick, cls = 'primary', extra = {}) =>
  h('button', { type: 'button', class: `btn ${cls}`, onclick, ...extra }, label)

function banner(t, s) {
  if (!s.citizen) return null
  return h(
    'div',
    { class: 'citizen', 'data-private': 'true' },
    h('span', { class: 'citizen-name' }, t.hello(s.citizen.displayName)),
    h('span', { class: 'citizen-id' }, `${t.idNumber} ${s.citizen.maskedIdNumber}`),
  )
}

function title(s) {
  return s.session ? loc(s.session.name, s.lang) : ''
}

/** `LZ########-####` with the typed digits in place of `#`: the prefix, then as far as typed. */
export function formatMasked(mask, digits) {
  let out = ''
  let i = 0
  for (const c of mask) {
    if (c === '#') {
      if (i >= digits.length) break
      out += digits[i++]
    } else if (i > 0 && i >= digits.length) break
    else out += c
  }
  return out
}

/** How many digits a mask takes. */
export const maskDigits = (mask) => [...mask].filter((c) => c === '#').length

function keypad(t, act) {
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', t.clear, '0', '⌫']
  return h(
    'div',
    { class: 'keypad' },
    keys.map((k) =>
      h(
        'button',
        {
          type: 'button',
          class: 'key',
          'data-key': k,
          'aria-label': k === '⌫' ? 'delete' : k,
          onclick: () => act.key(k === t.clear ? 'clear' : k === '⌫' ? 'back' : k),
        },
        k,
      ),
    ),
  )
}

/** The code of a notice: scanned from its QR code or typed on the keypad, shown in its mask. */
export function codeScreen(t, s, act) {
  const input = s.currentInput
  const needed = maskDigits(input.mask)
  return h(
    'section',
    { class: 'screen keypad-screen', 'data-screen': 'code', 'data-input': input.id },
    banner(t, s),
    h('h1', {}, loc(input.label, s.lang)),
    h('p', { class: 'hint' }, input.hint ? loc(input.hint, s.lang) : input.scan ? t.scanOrType : t.typeOnly),
    h(
      'output',
      { class: 'entry', 'aria-live': 'polite', 'aria-label': t.enterCodeMask(input.mask) },
      formatMasked(input.mask, s.input) || ' ',
    ),
    s.error ? h('p', { class: 'error', role: 'alert' }, s.error) : null,
    keypad(t, act),
    h(
      'div',
      { class: 'actions' },
      button(t.confirm, act.submitCode, 'primary', { disabled: s.input.length < needed }),
      button(t.cancel, act.home, 'secondary'),
    ),
  )
}

/**
 * The service's PIN input the PIN screen asks now (a query password), or undefined when it asks
 * the social-security PIN of the identity. Asked as an input, it is the current input not yet given.
 */
export function askedPinInput(s) {
  const input = s.currentInput
  return input?.kind === 'pin' && !(input.id in s.given) ? input : undefined
}

/** How many digits the PIN screen takes: the input's `length`, 6 for the social-security PIN. */
export const pinLength = (s) => askedPinInput(s)?.length ?? 6

/** A PIN, of the identity or a service's own input: dots only, never the digits. */
export function pinScreen(t, s, act) {
  const input = askedPinInput(s)
  const length = pinLength(s)
  const heading = input ? loc(input.label, s.lang) : t.enterPin
  const hint = input ? (input.hint ? loc(input.hint, s.lang) : t.pinInputHint(length)) : t.enterPinHint
  return h(
    'section',
    { class: 'screen keypad-screen', 'data-screen': 'pin', 'data-input': input?.id, 'data-length': length },
    banner(t, s),
    h('h1', {}, heading),
    h('p', { class: 'hint' }, hint),
    h('output', { class: 'entry', 'aria-live': 'polite', 'aria-label': heading }, '●'.repeat(s.input.length) || ' '),
    s.error ? h('p', { class: 'error', role: 'alert' }, s.error) : null,
    s.pinTriesLeft !== undefined ? h('p', { class: 'tries', role: 'status' }, t.pinTriesLeft(s.pinTriesLeft)) : null,
    keypad(t, act),
    h(
      'div',
      { class: 'actions' },
      button(t.confirm, act.submitPin, 'primary', { disabled: s.input.length < length }),
      button(t.cancel, act.home, 'secondary'),
    ),
  )
}

export function optionScreen(t, s, act) {
  const input = s.currentInput
  return h(
    'section',
    { class: 'screen options', 'data-screen': 'option', 'data-input': input.id },
    banner(t, s),
    h('h1', {}, loc(input.label, s.lang)),
    input.hint ? h('p', { class: 'hint' }, loc(input.hint, s.lang)) : null,
    h(
      'ul',
      { class: 'records' },
      input.options.map((o) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'record choice',
              'data-option': o.value,
              onclick: () => act.chooseOption(o.value),
            },
            h('span', { class: 'record-title' }, loc(o.label, s.lang)),
          ),
        ),
      ),
    ),
    h('div', { class: 'actions' }, button(t.cancel, act.home, 'secondary')),
  )
}

/** Period presets a citizen can choose with one touch: YYYY-MM ranges. */
export function periodPresets(t, yearsBack, today = new Date()) {
  const y = today.getFullYear()
  const m = today.getMonth() + 1
  const ym = (year, month) => `${year}-${String(month).padStart(2, '0')}`
  const back = (months) => {
    const total = y * 12 + (m - 1) - months
    return ym(Math.floor(total / 12), (total % 12) + 1)
  }
  const presets = [
    { id: 'last12', label: t.last12, from: back(11), to: ym(y, m) },
    { id: 'thisYear', label: t.thisYear, from: ym(y, 1), to: ym(y, m) },
    { id: 'lastYear', label: t.lastYear(y - 1), from: ym(y - 1, 1), to: ym(y - 1, 12) },
  ]
  if (yearsBack >= 3) presets.push({ id: 'last36', label: t.last36, from: back(35), to: ym(y, m) })
  return presets
}

export function periodScreen(t, s, act) {
  const input = s.currentInput
  return h(
    'section',
    { class: 'screen options', 'data-screen': 'period', 'data-input': input.id },
    banner(t, s),
    h('h1', {}, loc(input.label, s.lang) || t.choosePeriod),
    h(
      'ul',
      { class: 'records' },
      periodPresets(t, input.yearsBack).map((p) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'record choice',
              'data-period': p.id,
              onclick: () => act.choosePeriod(p.from, p.to),
            },
            h('span', { class: 'record-title' }, p.label),
            h('span', { class: 'record-meta' }, `${p.from} — ${p.to}`),
          ),
        ),
      ),
    ),
    h('div', { class: 'actions' }, button(t.cancel, act.home, 'secondary')),
  )
}

export function scanScreen(t, s, act) {
  const input = s.currentInput
  return h(
    'section',
    { class: 'screen scan', 'data-screen': 'scan', 'data-input': input.id },
    banner(t, s),
    h('h1', {}, loc(input.label, s.lang)),
    input.hint ? h('p', { class: 'hint' }, loc(input.hint, s.lang)) : null,
    s.error ? h('p', { class: 'error', role: 'alert' }, s.error) : null,
    h('div', { class: 'actions' }, button(t.startScan, act.scanDocument), button(t.cancel, act.home, 'secondary')),
  )
}

function items(s, act, shown) {
  const view = s.view
  if (view.kind === 'facts') {
    const item = shown[0]
    return h(
      'dl',
      { class: 'facts' },
      h('dt', {}, loc(item.title, s.lang)),
      item.lines.map((l) => h('dd', {}, `${loc(l.label, s.lang)} ${l.value}`)),
    )
  }
  const choosable = view.kind === 'choices'
  return h(
    'ul',
    { class: 'records' },
    shown.map((item) => {
      const parts = [
        h('span', { class: 'record-title' }, loc(item.title, s.lang)),
        item.badge ? h('span', { class: `badge status-${item.badge.value}` }, loc(item.badge.label, s.lang)) : null,
        item.lines.length > 0
          ? h('span', { class: 'record-meta' }, item.lines.map((l) => `${loc(l.label, s.lang)} ${l.value}`).join(' · '))
          : null,
      ]
      return h(
        'li',
        choosable ? {} : { class: 'record' },
        choosable
          ? h(
              'button',
              {
                type: 'button',
                class: 'record choice',
                'data-item': item.id,
                disabled: !view.output.available,
                onclick: () => act.output(item.id),
              },
              parts,
            )
          : parts,
      )
    }),
  )
}

export function resultScreen(t, s, act) {
  const view = s.view
  const size = s.elderly ? 2 : 4
  const pages = Math.max(1, Math.ceil(view.items.length / size))
  const page = Math.min(s.resultPage, pages - 1)
  const shown = view.kind === 'facts' ? view.items.slice(0, 1) : view.items.slice(page * size, page * size + size)
  const out = view.output
  const printable = out.kind === 'a4' || out.kind === 'receipt'
  const hasItems = view.items.length > 0
  const action =
    view.kind !== 'choices' && hasItems && out.action && (out.kind === 'qr' || (printable && out.available))
      ? button(loc(out.action, s.lang), () => act.output(), 'primary', { 'data-output': out.kind })
      : null
  const warning =
    printable && !out.available && hasItems
      ? h('p', { class: 'warning', role: 'status' }, out.optional ? t.receiptUnavailable : t.outputUnavailable)
      : null
  return h(
    'section',
    { class: 'screen result', 'data-screen': 'result', 'data-view': view.kind },
    banner(t, s),
    s.printError
      ? h(
          'p',
          { class: 'warning', role: 'alert', 'data-print-error': s.errorCode ?? '' },
          `${s.printError} ${t.printFailedKept}`,
        )
      : null,
    h('h1', {}, loc(view.title, s.lang)),
    s.session?.endsOnCardRemoval
      ? h('p', { class: 'hint', 'data-hint': 'keepCard' }, s.viaSsCard ? t.keepSsCard : t.keepCard)
      : s.citizen && !s.viaSsCard
        ? h('p', { class: 'hint', 'data-hint': 'mayTakeCard' }, t.mayTakeCard)
        : null,
    hasItems ? items(s, act, shown) : h('p', { class: 'lead empty' }, loc(view.empty, s.lang)),
    pages > 1 && view.kind !== 'facts'
      ? h(
          'div',
          { class: 'pager' },
          button(t.previous, act.previousResults, 'secondary', { disabled: page === 0 }),
          h('span', { class: 'page-of', role: 'status' }, t.pageOf(page + 1, pages, view.items.length)),
          button(t.next, act.nextResults, 'secondary', { disabled: page === pages - 1 }),
        )
      : null,
    warning,
    h(
      'div',
      { class: 'actions' },
      action,
      view.kind === 'choices'
        ? button(t.home, act.home, 'secondary')
        : button(t.done, act.finish, action ? 'secondary' : 'primary'),
      // A printer fault under the results is an error screen too: it keeps the way home.
      (warning || s.printError) && view.kind !== 'choices' ? button(t.home, act.home, 'secondary') : null,
    ),
  )
}

export function qrScreen(t, s, act) {
  return h(
    'section',
    { class: 'screen qr', 'data-screen': 'qr' },
    h('h1', {}, title(s)),
    h('img', { class: 'qr-image', src: s.qr.image, alt: t.showQr, width: '320', height: '320' }),
    h('p', { class: 'lead' }, s.view?.output.hint ? loc(s.view.output.hint, s.lang) : t.qrHint),
    h('p', { class: 'hint qr-url' }, s.qr.url),
    h('div', { class: 'actions' }, button(t.done, act.finish)),
  )
}

/** A department system that did not answer: the citizen may try again at once. */
export function retryScreen(t, s, act) {
  return h(
    'section',
    { class: 'screen failure', 'data-screen': 'error', 'data-error': s.errorCode ?? '' },
    svg(OUT_OF_SERVICE),
    h('p', { class: 'lead', role: 'alert' }, t.gatewayRetry),
    h('div', { class: 'actions' }, button(t.tryAgain, act.retryQuery), button(t.home, act.home, 'secondary')),
  )
}
