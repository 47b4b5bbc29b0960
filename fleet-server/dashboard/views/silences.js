// Silences: what is silenced now (or ever, on request), a form to silence a kiosk, a site and/or a rule
// until an expiry with a reason, and ending one early. The API checks scope and audits every write.
import { h, time } from '../dom.js'
import { select } from './pager.js'

const CAN_SILENCE = new Set(['admin', 'department', 'site'])
/** Durations offered, in hours (the API allows up to 30 days). */
export const SILENCE_HOURS = [1, 4, 12, 24, 72, 168, 720]

/** What a silence covers, in words: its kiosk, site and rule, or the whole fleet. */
function coverage(s, t) {
  const parts = [s.kioskId, s.siteId, s.rule ? (t.rule[s.rule] ?? s.rule) : null].filter(Boolean)
  return parts.length === 0 ? t.silences.everything : parts.join(' · ')
}

function stateOf(s, t, now) {
  if (s.endedAt) return { key: 'ended', text: `${t.silences.endedBy} ${s.endedBy}` }
  if (Date.parse(s.expiresAt) <= now) return { key: 'expired', text: t.silences.expired }
  return { key: 'running', text: t.silences.running }
}

/**
 * @param {{ t: any, lang: string, me: any }} ctx
 * @param {{ silences: any[], all: boolean, prefill: { kioskId?: string, siteId?: string, rule?: string } }} data
 * @param {{ send: (method: string, path: string, body?: unknown) => Promise<{ok: boolean, answer: any, error?: string}>, reload: () => void, onAll: (all: boolean) => void }} io
 */
export function renderSilences(ctx, { silences, all, prefill }, io) {
  const { t } = ctx
  const s = t.silences
  const may = CAN_SILENCE.has(ctx.me.role)
  const output = h('p.action-result', { role: 'status' })
  const write = async (method, path, body) => {
    output.textContent = '…'
    const { ok, error } = await io.send(method, path, body)
    if (!ok) {
      output.textContent = `${s.failed}: ${error}`
      return
    }
    io.reload()
  }

  const form = may
    ? h(
        'form.silence-new.inline-form',
        {
          onsubmit: (event) => {
            event.preventDefault()
            const data = new FormData(form)
            const text = (key) => String(data.get(key) ?? '').trim()
            const body = {
              ...(text('kioskId') ? { kioskId: text('kioskId') } : {}),
              ...(text('siteId') ? { siteId: text('siteId') } : {}),
              ...(text('rule') ? { rule: text('rule') } : {}),
              reason: text('reason'),
              durationMs: Number(text('hours')) * 3_600_000,
            }
            write('POST', '/api/alerts/silences', body)
          },
        },
        h('h2', {}, s.add),
        h('label', {}, h('span', {}, s.kiosk), h('input', { name: 'kioskId', value: prefill.kioskId ?? '', size: 12 })),
        h('label', {}, h('span', {}, s.site), h('input', { name: 'siteId', value: prefill.siteId ?? '', size: 12 })),
        select('rule', s.rule, [['', s.anyRule], ...Object.entries(t.rule)], prefill.rule),
        select(
          'hours',
          s.for,
          SILENCE_HOURS.map((n) => [String(n), n < 24 ? `${n} ${s.hours}` : `${n / 24} ${s.days}`]),
          '4',
        ),
        h(
          'label.wide',
          {},
          h('span', {}, s.reason),
          h('input', { name: 'reason', required: true, minlength: 3, maxlength: 500, placeholder: s.reasonHint }),
        ),
        h('button', { type: 'submit' }, s.silence),
        h('p.silence-hint', {}, ctx.me.role === 'admin' ? s.adminHint : s.scopeHint),
      )
    : null

  const now = Date.now()
  const table =
    silences.length === 0
      ? h('p.empty', {}, all ? s.noneEver : s.none)
      : h(
          'table.grid.silences',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [s.covers, s.reason, s.by, s.from, s.until, s.state, ''].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            {},
            silences.map((x) => {
              const st = stateOf(x, t, now)
              return h(
                'tr',
                { dataset: { silenceId: x.id, state: st.key } },
                h('td', {}, coverage(x, t)),
                h('td', {}, x.reason),
                h('td', {}, x.createdBy),
                h('td', {}, time(x.startsAt, ctx.lang)),
                h('td', {}, time(x.expiresAt, ctx.lang)),
                h(`td.${st.key === 'running' ? 'warn' : 'muted'}`, {}, st.text),
                h(
                  'td',
                  {},
                  may && st.key === 'running'
                    ? h(
                        'button.end',
                        {
                          type: 'button',
                          onclick: () =>
                            window.confirm(s.confirmEnd) && write('DELETE', `/api/alerts/silences/${x.id}`),
                        },
                        s.end,
                      )
                    : '',
                ),
              )
            }),
          ),
        )

  return h(
    'section.panel.silence-list',
    {},
    h('h2', {}, s.title),
    h('p.note', {}, s.note),
    form,
    output,
    h(
      'label.check.show-all',
      {},
      h('input', { type: 'checkbox', checked: all, onchange: (event) => io.onAll(event.currentTarget.checked) }),
      s.showAll,
    ),
    table,
  )
}
