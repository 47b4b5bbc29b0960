import { h, svg } from './dom.js'
import { OUT_OF_SERVICE, PLACE_CARD, SERVICE_ICONS, TAKE_PAPER } from './pictures.js'

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

function blockedText(t, service) {
  return service.blockedClasses.map((c) => t.blockedBy[c] ?? c).join('；')
}

export function menuScreen(t, s, act) {
  const perPage = s.elderly ? 2 : 4
  const services = s.status.services
  const pages = Math.max(1, Math.ceil(services.length / perPage))
  const page = Math.min(s.page, pages - 1)
  const shown = services.slice(page * perPage, page * perPage + perPage)
  return h(
    'section',
    { class: 'screen menu', 'data-screen': 'menu' },
    h('h1', {}, t.chooseService),
    h(
      'ul',
      { class: 'tiles' },
      shown.map((service) =>
        h(
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
            svg(SERVICE_ICONS[service.serviceId] ?? SERVICE_ICONS['id-progress']),
            h('span', { class: 'tile-title' }, t.services[service.serviceId] ?? service.serviceId),
            h(
              'span',
              { class: 'tile-hint' },
              service.available ? t.serviceHints[service.serviceId] : `${t.unavailable}：${blockedText(t, service)}`,
            ),
          ),
        ),
      ),
    ),
    pages > 1
      ? h(
          'div',
          { class: 'pager' },
          button(t.previous, act.previousPage, 'secondary', { disabled: page === 0 }),
          h('span', { class: 'page-of' }, `${page + 1} / ${pages}`),
          button(t.next, act.nextPage, 'secondary', { disabled: page === pages - 1 }),
        )
      : null,
    h('div', { class: 'actions' }, button(t.home, act.home, 'secondary')),
  )
}

export function cardScreen(t, s, act) {
  return h(
    'section',
    { class: 'screen card', 'data-screen': 'card' },
    h('h1', {}, t.services[s.session.serviceId]),
    h(
      'p',
      { class: 'lead' },
      s.reading ? t.readingCard : s.session.identify.includes('ssCard') ? t.placeCardOrSsCard : t.placeCard,
    ),
    svg(PLACE_CARD),
    h('p', { class: 'hint' }, t.placeCardHint),
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

export function citizenBanner(t, s) {
  if (!s.citizen) return null
  return h(
    'div',
    { class: 'citizen', 'data-private': 'true' },
    h('span', { class: 'citizen-name' }, t.hello(s.citizen.displayName)),
    h('span', { class: 'citizen-id' }, `${t.idNumber} ${s.citizen.maskedIdNumber}`),
  )
}

/** Digit keypad for the notice code (after the fixed LZ prefix) and for the PIN. */
export function keypadScreen(t, s, act, kind) {
  const isPin = kind === 'pin'
  const shown = isPin ? '●'.repeat(s.input.length) : formatCode(s.input)
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', t.clear, '0', '⌫']
  return h(
    'section',
    { class: 'screen keypad-screen', 'data-screen': kind },
    citizenBanner(t, s),
    h('h1', {}, isPin ? t.enterPin : t.enterCode),
    h('p', { class: 'hint' }, isPin ? t.enterPinHint : t.enterCodeHint),
    h(
      'output',
      { class: 'entry', 'aria-live': 'polite', 'aria-label': isPin ? t.enterPin : t.enterCode },
      shown || ' ',
    ),
    s.error ? h('p', { class: 'error', role: 'alert' }, s.error) : null,
    isPin && s.triesLeft !== undefined ? h('p', { class: 'tries', role: 'status' }, t.pinTriesLeft(s.triesLeft)) : null,
    h(
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
    ),
    h(
      'div',
      { class: 'actions' },
      button(t.confirm, act.submit, 'primary', { disabled: s.input.length < (isPin ? 6 : 12) }),
      button(t.cancel, act.home, 'secondary'),
    ),
  )
}

/** LZ + 8 digits (date) + '-' + 4 digits, as on the notice. */
export function formatCode(digits) {
  if (!digits) return 'LZ'
  return `LZ${digits.slice(0, 8)}${digits.length > 8 ? `-${digits.slice(8, 12)}` : ''}`
}

function progressView(t, s, act) {
  const items = s.view.items
  return [
    h('h1', {}, t.progressTitle),
    h('p', { class: 'hint' }, t.keepCard),
    items.length === 0 ? h('p', {}, t.noApplications) : null,
    h(
      'ul',
      { class: 'records' },
      items.map((a) =>
        h(
          'li',
          { class: 'record' },
          h('span', { class: 'record-title' }, s.lang === 'en' ? a.matterEn : a.matter),
          h('span', { class: `badge status-${a.status}` }, t.status[a.status]),
          h('span', { class: 'record-meta' }, `${t.acceptedAt} ${a.acceptedAt} · ${t.updatedAt} ${a.updatedAt}`),
          a.pickup ? h('span', { class: 'record-meta' }, `${t.pickupAt}：${a.pickup}`) : null,
        ),
      ),
    ),
    s.view.canPrint ? null : h('p', { class: 'warning', role: 'status' }, t.receiptUnavailable),
    h(
      'div',
      { class: 'actions' },
      s.view.canPrint ? button(t.printReceipt, () => act.print()) : null,
      button(t.done, act.finish, s.view.canPrint ? 'secondary' : 'primary'),
    ),
  ]
}

function taxView(t, s, act) {
  const perPage = s.elderly ? 2 : 3
  const pages = Math.max(1, Math.ceil(s.view.items.length / perPage))
  const page = Math.min(s.page, pages - 1)
  const items = s.view.items.slice(page * perPage, page * perPage + perPage)
  return [
    h('h1', {}, t.chooseCertificate),
    h(
      'ul',
      { class: 'records' },
      items.map((c) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'record choice',
              'data-item': c.certificateId,
              disabled: !s.view.canPrint,
              onclick: () => act.print(c.certificateId),
            },
            h('span', { class: 'record-title' }, c.period),
            h('span', { class: 'record-meta' }, `${c.taxTypes.join('、')} · ${t.total} ${t.yuan(c.total)}`),
          ),
        ),
      ),
    ),
    pages > 1
      ? h(
          'div',
          { class: 'pager' },
          button(t.previous, act.previousResultPage, 'secondary', { disabled: page === 0 }),
          h('span', { class: 'page-of' }, `${page + 1} / ${pages}`),
          button(t.next, act.nextResultPage, 'secondary', { disabled: page === pages - 1 }),
        )
      : null,
    s.view.canPrint ? null : h('p', { class: 'warning', role: 'status' }, t.errors.serviceUnavailable),
    h('div', { class: 'actions' }, button(t.home, act.home, 'secondary')),
  ]
}

function licenceView(t, s, act) {
  const l = s.view.items[0]
  return [
    h('h1', {}, t.licenceTitle),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, l.companyName),
      h('dd', {}, `${t.creditCode} ${l.creditCode}`),
      h('dd', {}, `${t.companyType} ${l.companyType}`),
      h('dd', {}, `${t.establishedOn} ${l.establishedOn}`),
    ),
    s.view.canPrint ? null : h('p', { class: 'warning', role: 'status' }, t.errors.serviceUnavailable),
    h(
      'div',
      { class: 'actions' },
      s.view.canPrint ? button(t.printLicence, () => act.print()) : null,
      button(t.cancel, act.home, 'secondary'),
    ),
  ]
}

function socialView(t, s, act) {
  return [
    h('h1', {}, t.ssTitle),
    h(
      'ul',
      { class: 'records' },
      s.view.items.map((i) =>
        h(
          'li',
          { class: 'record' },
          h('span', { class: 'record-title' }, i.type),
          h('span', { class: 'badge status-completed' }, i.status),
          h('span', { class: 'record-meta' }, `${t.since} ${i.since} · ${t.monthsPaid(i.monthsPaid)}`),
        ),
      ),
    ),
    s.view.canPrint ? null : h('p', { class: 'warning', role: 'status' }, t.errors.serviceUnavailable),
    h(
      'div',
      { class: 'actions' },
      s.view.canPrint ? button(t.printCertificate, () => act.print()) : null,
      button(t.cancel, act.home, 'secondary'),
    ),
  ]
}

const VIEWS = { progress: progressView, taxCertificates: taxView, licence: licenceView, socialInsurance: socialView }

export function resultScreen(t, s, act) {
  return h(
    'section',
    { class: 'screen result', 'data-screen': 'result', 'data-view': s.view.kind },
    citizenBanner(t, s),
    s.printError
      ? h(
          'p',
          { class: 'warning', role: 'alert', 'data-print-error': s.errorCode ?? '' },
          `${s.printError} ${t.printFailedKept}`,
        )
      : null,
    VIEWS[s.view.kind](t, s, act),
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
    // Advice that is true: a department system that is down is down for the kiosk next door too.
    s.errorCode === 'backendUnavailable'
      ? null
      : h('p', { class: 'hint' }, s.status?.ui.nearestService[s.lang] ?? t.nearestDefault),
    s.helpOpen ? h('p', { class: 'help', role: 'note' }, t.helpText) : null,
    h(
      'div',
      { class: 'actions' },
      s.retry ? button(t.retry, act.retry, 'primary', { 'data-action': 'retry' }) : null,
      button(t.home, act.home, s.retry ? 'secondary' : 'primary', { 'data-action': 'home' }),
      button(t.help, act.toggleHelp, 'secondary', { 'data-action': 'help', 'aria-expanded': String(s.helpOpen) }),
    ),
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
