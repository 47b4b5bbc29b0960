import { request } from 'node:https'

/**
 * A `fetch` for JSON requests over HTTPS that trusts `ca` (node's fetch takes no CA option): the
 * demo talks to its own fleet-server, whose certificate the demo CA signed.
 */
export function fetchTrusting(ca: Buffer): typeof fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const req = request(
        new URL(String(input)),
        { method: init?.method ?? 'GET', headers: init?.headers as Record<string, string>, ca },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', reject)
          res.on('end', () => {
            const headers = new Headers()
            for (const [name, value] of Object.entries(res.headers)) {
              for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v)
            }
            resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers }))
          })
        },
      )
      req.on('error', reject)
      req.end(typeof init?.body === 'string' ? init.body : undefined)
    })
}
