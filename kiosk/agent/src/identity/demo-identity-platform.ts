import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type DemoPlatformDecision = 'match' | 'noMatch' | 'spoof' | 'noFace' | 'down'

export interface DemoIdentityPlatform {
  readonly url: string
  /** What the platform answers next (the device panel and tests set it); default `match`. */
  setDecision(decision: DemoPlatformDecision): void
  /** Requests received, with sizes only (the bodies are dropped at once). */
  readonly received: { frames: number; cardPhotoBytes: number }[]
  close(): Promise<void>
}

const isJpeg = (b: Buffer) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8
const isPng = (b: Buffer) => b.length > 8 && b[0] === 0x89 && b[1] === 0x50
const isWebp = (b: Buffer) =>
  b.length > 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP'

/**
 * A demo identity platform on loopback: the HTTP contract of RemoteIdentityVerifier, checked
 * strictly (a JPEG/PNG card photo, 1–10 JPEG frames), answering the decision the demo operator
 * set. It is a stand-in for the province's platform, not a face matcher: the on-device mode is
 * the one that compares faces here. It keeps no image.
 */
export async function startDemoIdentityPlatform(options: { port?: number } = {}): Promise<DemoIdentityPlatform> {
  let decision: DemoPlatformDecision = 'match'
  const received: { frames: number; cardPhotoBytes: number }[] = []
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    if (req.method === 'POST' && req.url === '/demo/decision') {
      let text = ''
      req.on('data', (c: Buffer) => {
        text += c.toString('utf8')
      })
      req.on('end', () => {
        const next = (JSON.parse(text || '{}') as { decision?: DemoPlatformDecision }).decision
        if (!next || !['match', 'noMatch', 'spoof', 'noFace', 'down'].includes(next)) {
          return send(400, { error: 'decision must be match, noMatch, spoof, noFace or down' })
        }
        decision = next
        send(200, { decision })
      })
      return
    }
    if (req.method !== 'POST' || req.url !== '/v1/face-verifications') return send(404, { error: 'not found' })
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > 8_000_000) req.destroy()
      else chunks.push(c)
    })
    req.on('end', () => {
      if (decision === 'down') return send(503, { error: 'platform unavailable' })
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          cardPhoto?: { data?: string }
          frames?: { data?: string }[]
        }
        const photo = Buffer.from(body.cardPhoto?.data ?? '', 'base64')
        const frames = (body.frames ?? []).map((f) => Buffer.from(f.data ?? '', 'base64'))
        if (!(isJpeg(photo) || isPng(photo) || isWebp(photo))) {
          return send(400, { error: 'cardPhoto must be a JPEG, PNG or WebP image' })
        }
        if (frames.length < 1 || frames.length > 10 || !frames.every(isJpeg)) {
          return send(400, { error: 'frames must be 1 to 10 JPEG images' })
        }
        received.push({ frames: frames.length, cardPhotoBytes: photo.length })
        send(200, { decision, ...(decision === 'match' ? { similarity: 0.9 } : {}) })
      } catch {
        send(400, { error: 'body must be JSON' })
      } finally {
        chunks.length = 0
      }
    })
  })
  await new Promise<void>((ok) => server.listen(options.port ?? 0, '127.0.0.1', () => ok()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    setDecision: (d) => {
      decision = d
    },
    received,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections()
        server.close(() => ok())
      }),
  }
}
