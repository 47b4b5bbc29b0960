// After an admin reset the password: the user chooses their own before anything else.
import { h } from '../dom.js'

/**
 * @param {{t: any}} ctx
 * @param {{send: (method: string, path: string, body?: unknown) => Promise<{ok: boolean, answer: any, error?: string}>, done: () => void}} io
 */
export function renderPasswordChange(ctx, io) {
  const a = ctx.t.admin
  const output = h('p.error', { role: 'alert' })
  const form = h(
    'form.login.password-change',
    {
      onsubmit: async (event) => {
        event.preventDefault()
        const data = new FormData(form)
        const answer = await io.send('POST', '/api/me/password', {
          currentPassword: String(data.get('currentPassword')),
          newPassword: String(data.get('newPassword')),
        })
        if (!answer.ok) {
          output.textContent = `${a.failed}: ${answer.error}`
          return
        }
        io.done()
      },
    },
    h('h2', {}, a.chooseOwn),
    h(
      'label',
      {},
      h('span', {}, a.oneTimeLabel),
      h('input', { name: 'currentPassword', type: 'password', required: true, autocomplete: 'current-password' }),
    ),
    h(
      'label',
      {},
      h('span', {}, a.newPassword),
      h('input', {
        name: 'newPassword',
        type: 'password',
        minlength: 12,
        required: true,
        autocomplete: 'new-password',
      }),
    ),
    output,
    h('button', { type: 'submit' }, a.save),
  )
  return form
}
