import { h, svg } from '../dom.js'
import { PLACE_CARD } from '../pictures.js'
import { citizenBanner } from '../screens.js'

const button = (label, onclick, cls = 'primary', extra = {}) =>
  h('button', { type: 'button', class: `btn ${cls}`, onclick, ...extra }, label)

/** 人证核验: the camera preview, one main action (start), tries left after a failure. */
export function faceScreen(t, s, act) {
  const video = s.faceVideo ?? h('video', { class: 'face-preview' })
  video.setAttribute('aria-label', t.faceTitle)
  return h(
    'section',
    { class: 'screen face', 'data-screen': 'face', 'data-busy': String(s.faceBusy) },
    citizenBanner(t, s),
    h('h1', {}, t.faceTitle),
    h('p', { class: 'hint' }, t.faceHint),
    video,
    s.faceBusy ? h('p', { class: 'lead', role: 'status' }, t.faceChecking) : null,
    s.error ? h('p', { class: 'error', role: 'alert' }, s.error) : null,
    s.faceTriesLeft !== undefined ? h('p', { class: 'tries', role: 'status' }, t.faceTriesLeft(s.faceTriesLeft)) : null,
    h(
      'div',
      { class: 'actions' },
      button(s.error ? t.retry : t.faceStart, act.startFace, 'primary', {
        disabled: s.faceBusy,
        'data-action': 'face-start',
      }),
      button(t.cancel, act.home, 'secondary'),
    ),
  )
}

/** After a session: the card still lies on the reader. Stays until the reader reports it lifted. */
export function takeCardScreen(t, s) {
  return h(
    'section',
    { class: 'screen take-card', 'data-screen': 'takeCard' },
    h('p', { class: 'lead', role: 'alert' }, t.takeCardNow),
    svg(PLACE_CARD),
    h('p', { class: 'hint' }, t.takeCardHint),
    s.notice ? h('p', { class: 'notice', role: 'status' }, s.notice) : null,
  )
}
