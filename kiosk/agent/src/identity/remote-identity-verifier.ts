import { AppError } from '@drivers/core'
import { KioskErrorCodes } from '../errors.ts'
import type { CardPhotoImage, FaceDecision, FaceOutcome, IdentityVerifier } from './identity-verifier.ts'

export interface RemoteIdentityVerifierOptions {
  /** Base URL of the identity platform; POST {baseUrl}/v1/face-verifications. */
  baseUrl: string
  timeoutMs: number
  /** Injected for tests and for a platform client with mutual TLS; default global fetch. */
  fetch?: typeof fetch
}

const OUTCOMES: readonly FaceOutcome[] = ['match', 'noMatch', 'spoof', 'noFace']

/**
 * Client of an identity platform (the public-security identity platforms many provinces verify
 * through): sends the card photo and the live frames once, over HTTPS in production, and gets a
 * decision. Any transport failure, timeout or unexpected answer is `unavailable` (not the
 * citizen's fault, not counted as a try). Request and answer bodies are never logged.
 *
 * Contract (docs/identity.md): request `{cardPhoto: {mimeType, data: base64}, frames: [{mimeType,
 * data}]}`; answer 200 `{decision: 'match'|'noMatch'|'spoof'|'noFace', similarity?: number}`.
 */
export class RemoteIdentityVerifier implements IdentityVerifier {
  readonly kind = 'remote' as const
  readonly #options: RemoteIdentityVerifierOptions
  readonly #fetch: typeof fetch

  constructor(options: RemoteIdentityVerifierOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) {
      throw new TypeError('RemoteIdentityVerifierOptions.baseUrl must be an http(s) URL')
    }
    this.#options = options
    this.#fetch = options.fetch ?? fetch
  }

  async verify(cardPhoto: CardPhotoImage, liveFrames: readonly Uint8Array[]): Promise<FaceDecision> {
    const body = JSON.stringify({
      cardPhoto: { mimeType: cardPhoto.mimeType, data: Buffer.from(cardPhoto.bytes).toString('base64') },
      frames: liveFrames.map((f) => ({ mimeType: 'image/jpeg', data: Buffer.from(f).toString('base64') })),
    })
    try {
      const res = await this.#fetch(new URL('/v1/face-verifications', this.#options.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      })
      if (!res.ok) return { outcome: 'unavailable' }
      const answer = (await res.json()) as { decision?: unknown; similarity?: unknown }
      const outcome = OUTCOMES.find((o) => o === answer.decision)
      if (!outcome) return { outcome: 'unavailable' }
      return typeof answer.similarity === 'number' ? { outcome, similarity: answer.similarity } : { outcome }
    } catch {
      // Timeout, refused connection, bad JSON: the platform cannot answer now.
      return { outcome: 'unavailable' }
    }
  }
}

/** The platform client the config asks for: remote mode needs `identity.platformUrl` (ERR_KIOSK_IDENTITY_CONFIG). */
export function remoteVerifierFrom(config: {
  faceCheck: 'onDevice' | 'remote' | 'off'
  platformUrl?: string
  platformTimeoutMs: number
}): RemoteIdentityVerifier | undefined {
  if (config.faceCheck !== 'remote') return undefined
  if (!config.platformUrl) {
    throw new AppError(
      KioskErrorCodes.identityConfig,
      'identity.faceCheck is remote but identity.platformUrl is not set',
    )
  }
  return new RemoteIdentityVerifier({ baseUrl: config.platformUrl, timeoutMs: config.platformTimeoutMs })
}
