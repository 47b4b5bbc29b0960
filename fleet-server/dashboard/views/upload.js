// Upload an artifact (admins: app releases and any model's firmware/config; vendors: their own
// models) through the same resumable API fleetctl uses: announce with length and SHA-256, then
// PATCH chunks at Upload-Offset, continuing from the server's offset after an interruption.
import { fill } from '../admin-labels.js'
import { h } from '../dom.js'
import { splitList } from './users.js'

const KINDS = ['app', 'firmware', 'config']
/** Bytes per PATCH: small enough to show progress and to lose little on a dropped connection. */
export const CHUNK_BYTES = 4 * 1024 * 1024

async function sha256Hex(buffer) {
  const digest = await crypto.subtle.digest('SHA-256', buffer)
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * Sends `bytes` to an open upload from `offset`; on 409 (another offset) it continues from the
 * server's `Upload-Offset`. Calls `onProgress(sent)` after each chunk. Returns an error message or null.
 */
export async function sendChunks(uploadId, bytes, offset, onProgress) {
  let at = offset
  let mismatches = 0
  while (at < bytes.byteLength) {
    const chunk = bytes.slice(at, Math.min(at + CHUNK_BYTES, bytes.byteLength))
    const response = await fetch(`/api/uploads/${encodeURIComponent(uploadId)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(at) },
      body: chunk,
    })
    const serverOffset = Number(response.headers.get('upload-offset'))
    if (response.status === 409 && Number.isSafeInteger(serverOffset) && mismatches++ < 3) {
      at = serverOffset
      continue
    }
    if (!response.ok) {
      const answer = await response.json().catch(() => ({}))
      return answer.message ?? `HTTP ${response.status}`
    }
    at = Number.isSafeInteger(serverOffset) && serverOffset > 0 ? serverOffset : at + chunk.byteLength
    onProgress(at)
  }
  return null
}

/**
 * @param {{t: any, me: any}} ctx
 * @param {{send: (method: string, path: string, body?: unknown) => Promise<{ok: boolean, answer: any, error?: string}>, done: (artifactId: string) => void}} io
 */
export function renderUpload(ctx, io) {
  const { t } = ctx
  const a = t.admin
  const kinds = ctx.me.role === 'admin' ? KINDS : KINDS.filter((k) => k !== 'app')
  const progress = h('progress.upload-progress', { max: 100, value: 0, hidden: true })
  const output = h('p.action-result', { role: 'status' })
  const deviceFields = h(
    'fieldset.device-fields',
    {},
    h(
      'label',
      {},
      h('span', {}, a.vendor),
      h('input', { name: 'vendor', pattern: '[a-z0-9][a-z0-9\\-]{0,62}', value: ctx.me.vendors?.[0] ?? '' }),
    ),
    h(
      'label',
      {},
      h('span', {}, a.deviceModel),
      h('input', { name: 'deviceModel', pattern: '[a-z0-9][a-z0-9\\-]{0,127}' }),
    ),
    h('label', {}, h('span', {}, a.hwRevisions), h('input', { name: 'hwRevisions', placeholder: a.listHint })),
  )
  const showFields = (kind) => {
    deviceFields.hidden = kind === 'app'
  }
  const machineTypes = Object.entries(t.machine).map(([id, label]) =>
    h('label.check', {}, h('input', { type: 'checkbox', name: 'machineTypes', value: id }), label),
  )
  const form = h(
    'form.upload-form.inline-form',
    {
      onsubmit: async (event) => {
        event.preventDefault()
        const data = new FormData(form)
        const file = /** @type {File} */ (data.get('file'))
        if (!(file instanceof File) || file.size === 0) return
        const kind = String(data.get('kind'))
        submit.disabled = true
        output.textContent = a.hashing
        const bytes = await file.arrayBuffer()
        const body = {
          kind,
          version: String(data.get('version')).trim(),
          fileName: file.name,
          length: bytes.byteLength,
          sha256: await sha256Hex(bytes),
          compatibility: {
            machineTypes: data.getAll('machineTypes').map(String),
            hwRevisions: kind === 'app' ? [] : splitList(data.get('hwRevisions')),
            ...(String(data.get('minAppVersion') ?? '').trim()
              ? { minAppVersion: String(data.get('minAppVersion')).trim() }
              : {}),
          },
          ...(kind === 'app'
            ? {}
            : { vendor: String(data.get('vendor')).trim(), deviceModel: String(data.get('deviceModel')).trim() }),
          ...(String(data.get('notes') ?? '').trim() ? { notes: String(data.get('notes')).trim() } : {}),
        }
        const created = await io.send('POST', '/api/artifacts', body)
        if (!created.ok) {
          submit.disabled = false
          output.textContent = `${a.failed}: ${created.error}`
          return
        }
        const { artifact, upload } = created.answer
        progress.hidden = false
        const error = await sendChunks(upload.id, bytes, upload.offset, (sent) => {
          const percent = Math.floor((sent / bytes.byteLength) * 100)
          progress.value = percent
          output.textContent = fill(a.uploading, { percent })
        })
        submit.disabled = false
        if (error) {
          output.textContent = `${a.failed}: ${error}`
          return
        }
        output.textContent = a.uploaded
        io.done(artifact.id)
      },
    },
    h('h2', {}, a.upload),
    h(
      'label',
      {},
      h('span', {}, a.kind),
      h(
        'select',
        { name: 'kind', onchange: (event) => showFields(event.target.value) },
        kinds.map((k) => h('option', { value: k }, t.updates.kind[k])),
      ),
    ),
    h('label', {}, h('span', {}, a.version), h('input', { name: 'version', required: true, placeholder: '1.2.0' })),
    deviceFields,
    h('fieldset.machine-types', {}, h('legend', {}, a.machineTypes), machineTypes),
    h('label', {}, h('span', {}, a.minAppVersion), h('input', { name: 'minAppVersion', placeholder: '1.0.0' })),
    h('label.wide', {}, h('span', {}, a.notes), h('textarea', { name: 'notes', rows: 2, maxlength: 4000 })),
    h('label', {}, h('span', {}, a.file), h('input', { name: 'file', type: 'file', required: true })),
    h('button', { type: 'submit' }, a.start),
    progress,
    output,
  )
  const submit = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'))
  showFields(kinds[0])
  return h(
    'div.admin-page.upload-page',
    {},
    h('p', {}, h('a', { href: '#/artifacts' }, `← ${t.back}`)),
    h('section.panel', {}, form),
  )
}
