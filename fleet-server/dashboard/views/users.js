// Users (admins): the list with role, scope and state; create, edit role and scope, disable or
// enable, reset to a one-time password. Every write goes through the API, which audits it.
import { fill } from '../admin-labels.js'
import { h } from '../dom.js'

const ROLES = ['admin', 'department', 'site', 'vendor', 'auditor']
/** Which scope list each role uses. */
const SCOPE_OF = { department: 'departments', site: 'sites', vendor: 'vendors' }

export const splitList = (text) =>
  String(text ?? '')
    .split(/[,，\s]+/)
    .map((s) => s.trim())
    .filter(Boolean)

function scopeText(user) {
  const key = SCOPE_OF[user.role]
  return key ? user[key].join(', ') || '—' : '—'
}

function roleSelect(a, value) {
  return h(
    'select',
    { name: 'role', 'aria-label': a.role },
    ROLES.map((r) => h('option', { value: r, selected: r === value }, a.roles[r])),
  )
}

/** Inputs for the three scope lists, with suggestions of known departments and sites. */
function scopeInputs(a, user) {
  return ['departments', 'sites', 'vendors'].map((key) =>
    h(
      'label',
      {},
      h('span', {}, a[key]),
      h('input', {
        name: key,
        value: (user?.[key] ?? []).join(', '),
        list: key === 'vendors' ? undefined : `known-${key}`,
        placeholder: a.listHint,
      }),
    ),
  )
}

/** The scope the form holds for its role: only that role's list is sent (the others emptied). */
function scopeFrom(form) {
  const data = new FormData(form)
  const role = String(data.get('role'))
  const body = { role, departments: [], sites: [], vendors: [] }
  const key = SCOPE_OF[role]
  if (key) body[key] = splitList(data.get(key))
  return body
}

/**
 * @param {{t: any, me: any}} ctx
 * @param {{users: any[], known: {departments: string[], sites: string[]}}} data
 * @param {{send: (method: string, path: string, body?: unknown) => Promise<{ok: boolean, answer: any, error?: string}>, reload: () => void}} io
 */
export function renderUsers(ctx, { users, known }, io) {
  const a = ctx.t.admin
  const output = h('p.action-result', { role: 'status' })
  const report = (text) => {
    output.textContent = text
  }
  const path = (id) => `/api/users/${encodeURIComponent(id)}`
  const write = async (method, url, body, done) => {
    report('…')
    const { ok, answer, error } = await io.send(method, url, body)
    if (!ok) return report(`${a.failed}: ${error}`)
    done(answer)
  }

  const rows = users.map((user) => {
    const self = user.userId === ctx.me.userId
    const state = user.disabled ? a.disabled : user.mustChangePassword ? a.mustChange : a.enabled
    const row = h(
      'tr',
      { dataset: { userId: user.userId, disabled: String(user.disabled) } },
      h('td', {}, user.userId, self ? a.you : ''),
      h('td', {}, user.displayName),
      h('td.role', {}, a.roles[user.role] ?? user.role),
      h('td.scope', {}, scopeText(user)),
      h(`td.state${user.disabled ? '.bad' : user.mustChangePassword ? '.warn' : '.ok'}`, {}, state),
      h(
        'td.command-buttons',
        {},
        h('button.edit', { type: 'button', onclick: () => row.after(editor(user, row)) }, a.edit),
        self
          ? null
          : h(
              `button.${user.disabled ? 'enable' : 'disable'}`,
              {
                type: 'button',
                onclick: () =>
                  (user.disabled || window.confirm(fill(a.confirmDisable, { user: user.userId }))) &&
                  write('PATCH', path(user.userId), { disabled: !user.disabled }, io.reload),
              },
              user.disabled ? a.enable : a.disable,
            ),
        h(
          'button.reset',
          {
            type: 'button',
            onclick: () =>
              window.confirm(fill(a.confirmReset, { user: user.userId })) &&
              write('POST', `${path(user.userId)}/reset-password`, undefined, (answer) => {
                output.replaceChildren(
                  fill(a.oneTime, { user: user.userId }),
                  ' ',
                  h('code.one-time', {}, answer.oneTimePassword),
                )
              }),
          },
          a.resetPassword,
        ),
      ),
    )
    return row
  })

  function editor(user, row) {
    const form = h(
      'form.user-edit.inline-form',
      {
        onsubmit: (event) => {
          event.preventDefault()
          const body = { displayName: new FormData(form).get('displayName'), ...scopeFrom(form) }
          write('PATCH', path(user.userId), body, io.reload)
        },
      },
      h('label', {}, h('span', {}, a.displayName), h('input', { name: 'displayName', value: user.displayName })),
      h('label', {}, h('span', {}, a.role), roleSelect(a, user.role)),
      scopeInputs(a, user),
      h('button', { type: 'submit' }, a.save),
      h('button', { type: 'button', onclick: () => cell.closest('tr')?.remove() }, a.cancel),
    )
    const cell = h('td', { colspan: 6 }, form)
    row.nextElementSibling?.classList.contains('editing') && row.nextElementSibling.remove()
    return h('tr.editing', { dataset: { editing: user.userId } }, cell)
  }

  const create = h(
    'form.user-create.inline-form',
    {
      onsubmit: (event) => {
        event.preventDefault()
        const data = new FormData(create)
        const body = {
          id: String(data.get('id')),
          displayName: String(data.get('displayName')),
          password: String(data.get('password')),
          ...scopeFrom(create),
        }
        write('POST', '/api/users', body, () => {
          io.reload()
        })
      },
    },
    h('h2', {}, a.newUser),
    h(
      'label',
      {},
      h('span', {}, a.user),
      h('input', { name: 'id', required: true, pattern: '[a-z0-9][a-z0-9._\\-]{1,63}' }),
    ),
    h('label', {}, h('span', {}, a.displayName), h('input', { name: 'displayName', required: true })),
    h(
      'label',
      {},
      h('span', {}, a.password),
      h('input', { name: 'password', type: 'password', minlength: 12, required: true, autocomplete: 'new-password' }),
    ),
    h('label', {}, h('span', {}, a.role), roleSelect(a, 'department')),
    scopeInputs(a, undefined),
    h('button', { type: 'submit' }, a.create),
  )

  return h(
    'div.admin-page.users-page',
    {},
    h(
      'datalist',
      { id: 'known-departments' },
      known.departments.map((d) => h('option', { value: d })),
    ),
    h(
      'datalist',
      { id: 'known-sites' },
      known.sites.map((s) => h('option', { value: s })),
    ),
    h(
      'section.panel',
      {},
      h('h2', {}, a.users),
      h(
        'table.grid.users',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [a.user, a.displayName, a.role, a.scope, a.state, a.actions].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h('tbody', {}, rows),
      ),
      output,
    ),
    h('section.panel', {}, create),
  )
}
