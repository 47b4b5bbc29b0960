import { h, svg } from './dom.js'
import { OUT_OF_SERVICE, PLACE_CARD, TAKE_PAPER } from './pictures.js'

/**
 * One function per screen. Each gets the strings of the current language, the state it shows and
 * the actions it may call, and returns a <section>. Nothing here talks to the agent.
 */

const button = (label, onclick, cls = 'primary', extra = {}) =>
  h('button', { type: 'button', class: `btn ${cls}`, onclick, ...extra }, label)

export function attractScreen(t, s, act) {
  return h(
    'section',
    { class: 'screen attract', 'data-screen': 'attract' },
    h(
      'button',
      { type: 'button', class: 'attract-touch', onclick: act.start },
      h('span', { class: 'attract-title' }, t.appTitle),
      h('span', { class: 'attract-site' }, s.status?.siteName ?? ''),
      svg(PLACE_CARD),
      h('span', { class: 'attract-cta' }, t.touchToStart),
      h('span', { class: 'attract-hint' }, t.attractHint),
    ),
    s.notice ? h('p', { class: 'notice', role: 'status' }, s.notice) : null,
  )
}

export function cardScreen(t, s, act) {
  return h(
    'section',
    { class: 'screen card', 'data-screen': 'card' },
    h('h1', {}, s.session.name?.[s.lang] ?? s.session.name?.zh ?? ''),
    h(
      'p',
      { class: 'lead' },
      s.reading ? t.readingCard : s.session.identify.includes('ssCard') ? t.placeCardOrSsCard : t.placeCard,
    ),
    svg(PLACE_CARD),
    h('p', { class: 'hint' }, t.placeCardHint),
    h('p', { class: 'hint' }, t.placeCardAgain),
    s.error ? h('p', { class: 'error', role: 'alert' }, s.error) : null,
    s.reading ? h('div', { class: 'progress', role: 'progressbar', 'aria-label': t.readingCard }) : null,
    h(
      'div',
      { class: 'actions' },
      s.error ? button(t.retry, act.retryCard) : null,
      button(t.cancel, act.home, 'secondary'),
    ),
  )
}

function citizenBanner(t, s) {
  if (!s.citizen) return null
  return h(
    'div',
    { class: 'citizen', 'data-private': 'true' },
    h('span', { class: 'citizen-name' }, t.hello(s.citizen.displayName)),
    h('span', { class: 'citizen-id' }, `${t.idNumber} ${s.citizen.maskedIdNumber}`),
  )
}

export function busyScreen(t, s) {
  return h(
    'section',
    { class: 'screen busy', 'data-screen': 'busy', 'aria-busy': 'true' },
    citizenBanner(t, s),
    h('p', { class: 'lead', role: 'status' }, s.busyText),
    h('div', { class: 'progress', role: 'progressbar', 'aria-label': s.busyText }),
  )
}

export function doneScreen(t, s, act) {
  return h(
    'section',
    { class: 'screen done', 'data-screen': 'done' },
    svg(TAKE_PAPER),
    h('p', { class: 'lead', role: 'status' }, s.printed === 'receipt' ? t.printedReceipt : t.printedA4),
    h('p', { class: 'hint' }, t.takeCard),
    h('div', { class: 'actions' }, button(t.done, act.finish)),
  )
}

export function errorScreen(t, s, act) {
  return h(
    'section',
    { class: 'screen failure', 'data-screen': 'error', 'data-error': s.errorCode ?? '' },
    svg(OUT_OF_SERVICE),
    h('p', { class: 'lead', role: 'alert' }, s.error),
    h('p', { class: 'hint' }, s.status?.ui.nearestService[s.lang] ?? t.nearestDefault),
    h('div', { class: 'actions' }, button(t.home, act.home)),
  )
}

/** Which class of fault keeps the kiosk out of service, in words a citizen understands. */
export function reasonClass(status) {
  if (!status || status.mode === 'maintenance') return 'system'
  const classes = status.services.flatMap((x) => x.blockedClasses)
  if (classes.some((c) => c === 'receiptPrinter' || c === 'documentPrinter')) return 'printer'
  if (classes.some((c) => c === 'idCardReader' || c === 'smartCardReader')) return 'reader'
  if (classes.some((c) => c === 'barcodeScanner' || c === 'documentScanner')) return 'scanner'
  return 'system'
}

export function outOfServiceScreen(t, s) {
  const reason = s.connected ? reasonClass(s.status) : 'system'
  return h(
    'section',
    { class: 'screen out-of-service', 'data-screen': 'out-of-service', 'data-reason': reason },
    svg(OUT_OF_SERVICE),
    h('h1', {}, t.outOfService),
    h('p', { class: 'lead' }, `${t.outOfServiceReason}：${t.reasonClass[reason]}`),
    s.connected ? null : h('p', { class: 'hint', role: 'status' }, t.connectionLost),
    h('h2', {}, t.outOfServiceWhere),
    h('p', { class: 'where' }, s.status?.ui.nearestService[s.lang] ?? t.nearestDefault),
  )
}

export function idleDialog(t, s, act) {
  return h(
    'div',
    { class: 'overlay' },
    h(
      'div',
      {
        class: 'dialog',
        role: 'alertdialog',
        'aria-modal': 'true',
        'aria-labelledby': 'idle-title',
        'aria-describedby': 'idle-body',
      },
      h('h2', { id: 'idle-title' }, t.idleTitle),
      h('p', { id: 'idle-body', 'aria-live': 'assertive' }, t.idleBody(s.idleLeft)),
      button(t.idleContinue, act.extend, 'primary', { 'data-action': 'extend' }),
    ),
  )
}
