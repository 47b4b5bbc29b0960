import type { Logger } from 'pino'
import type { CommandHandler, CommandReply } from '../local-api/local-api-server.ts'
import type { SessionManager } from '../sessions/session-manager.ts'
import { IDENTITY_KEYS } from './admit-card.ts'
import { type CardPhotoDecoder, decodeCardPhoto } from './card-photo.ts'
import { COUNTED_OUTCOMES, type FaceOutcome, type IdentityVerifier, OUTCOME_ERRORS } from './identity-verifier.ts'

export interface IdentityCommandsOptions {
  sessions: SessionManager
  mode: 'onDevice' | 'remote' | 'off'
  /** The platform client, in remote mode. */
  remote?: IdentityVerifier
  decoders: readonly CardPhotoDecoder[]
  maxTries: number
  logger: Logger
}

const FACE_OUTCOMES: readonly FaceOutcome[] = ['match', 'noMatch', 'spoof', 'noFace', 'unavailable', 'cameraNotReady']
const MAX_FRAME_BASE64 = 3_000_000

/** Only the four known scores, as finite numbers rounded to 3 places: nothing else from the page is logged. */
function decisionScores(raw: unknown): Record<string, number | null> | undefined {
  if (raw === null || typeof raw !== 'object') return undefined
  const scores: Record<string, number | null> = {}
  for (const key of ['similarity', 'real', 'live', 'motion'] as const) {
    const value = (raw as Record<string, unknown>)[key]
    scores[key] = typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 1000) / 1000 : null
  }
  return scores
}

const reply = (
  completionCode: CommandReply['completionCode'],
  errorCode: string,
  extra: Record<string, unknown> = {},
) => ({ completionCode, errorCode, errorDescription: errorCode, ...extra }) as CommandReply

/**
 * The local API's identity steps: `Identity.FaceStart` (which verifier, the card photo for the
 * on-device check, tries left), `Identity.FaceResult` (the on-device decision) and
 * `Identity.Verify` (frames to the remote platform). The agent counts the tries: after
 * `maxTries` counted failures the session only offers the counter. Images are never logged.
 */
export function createIdentityCommands(options: IdentityCommandsOptions): Record<string, CommandHandler> {
  const { sessions, logger } = options
  const noSession = reply('sequenceError', 'noSession')

  const failures = () => sessions.current?.recall<number>(IDENTITY_KEYS.faceFailures) ?? 0
  const triesLeft = () => Math.max(0, options.maxTries - failures())
  const pending = () => {
    const session = sessions.current
    if (!session) return noSession
    if (!session.recall(IDENTITY_KEYS.cardPhoto)) return reply('sequenceError', 'notIdentified')
    if (triesLeft() === 0) return reply('userError', 'faceLocked', { triesLeft: 0 })
    return undefined
  }

  /** Records one decision in the session and answers the UI. */
  const settle = (outcome: FaceOutcome, scores?: Record<string, number | null>): CommandReply => {
    const session = sessions.current
    if (!session) return noSession
    sessions.touch()
    // The four decision scores are numbers about the check, not the face: IT tunes thresholds with them.
    logger.info({ outcome, mode: options.mode, ...(scores ? { scores } : {}) }, 'face check')
    if (outcome === 'match') {
      session.keep(IDENTITY_KEYS.faceVerified, true)
      session.keep(IDENTITY_KEYS.cardPhoto, undefined)
      return { completionCode: 'success', outcome }
    }
    if (COUNTED_OUTCOMES.includes(outcome)) {
      session.keep(IDENTITY_KEYS.faceFailures, failures() + 1)
      const left = triesLeft()
      if (left === 0) session.outcome = 'failed'
      return reply('userError', left === 0 ? 'faceLocked' : OUTCOME_ERRORS[outcome], { triesLeft: left })
    }
    return reply('deviceNotReady', OUTCOME_ERRORS[outcome as Exclude<FaceOutcome, 'match'>])
  }

  return {
    'Identity.FaceStart': async () => {
      if (sessions.current?.recall(IDENTITY_KEYS.faceVerified) === true) {
        return { completionCode: 'success', verified: true }
      }
      const blocked = pending()
      if (blocked) return blocked
      const session = sessions.current
      if (!session) return noSession
      if (options.mode === 'off') return reply('deviceNotReady', 'faceUnavailable')
      const photo = session.recall<Uint8Array>(IDENTITY_KEYS.cardPhoto) as Uint8Array
      let image: { mimeType: string; bytes: Uint8Array }
      try {
        image = decodeCardPhoto(photo, options.decoders)
      } catch (err) {
        logger.warn({ code: (err as { code?: string }).code }, 'card photo not decodable')
        return reply('hardwareError', 'photoUnreadable')
      }
      sessions.touch()
      return {
        completionCode: 'success',
        mode: options.mode,
        triesLeft: triesLeft(),
        ...(options.mode === 'onDevice'
          ? { cardPhoto: `data:${image.mimeType};base64,${Buffer.from(image.bytes).toString('base64')}` }
          : {}),
      }
    },

    'Identity.FaceResult': async (payload) => {
      const blocked = pending()
      if (blocked) return blocked
      if (options.mode !== 'onDevice') return reply('sequenceError', 'notOnDevice')
      const outcome = FACE_OUTCOMES.find((o) => o === payload.outcome)
      if (!outcome) return reply('invalidData', 'badOutcome')
      return settle(outcome, decisionScores(payload.scores))
    },

    'Identity.Verify': async (payload) => {
      const blocked = pending()
      if (blocked) return blocked
      const session = sessions.current
      if (!session || options.mode !== 'remote' || !options.remote) return reply('sequenceError', 'notRemote')
      const raw = Array.isArray(payload.frames) ? payload.frames : []
      if (
        raw.length < 1 ||
        raw.length > 10 ||
        !raw.every((f) => typeof f === 'string' && f.length < MAX_FRAME_BASE64)
      ) {
        return reply('invalidData', 'badFrames')
      }
      let frames: Uint8Array[] = raw.map((f) => Buffer.from(f as string, 'base64'))
      let image: { mimeType: string; bytes: Uint8Array } | undefined
      try {
        image = decodeCardPhoto(session.recall<Uint8Array>(IDENTITY_KEYS.cardPhoto) as Uint8Array, options.decoders)
        const decision = await options.remote.verify(image, frames)
        if (sessions.current !== session) return reply('canceled', 'sessionEnded')
        return settle(decision.outcome)
      } catch (err) {
        logger.warn({ code: (err as { code?: string }).code }, 'card photo not decodable')
        return reply('hardwareError', 'photoUnreadable')
      } finally {
        // Wipe what this step held: the frames and the decoded photo.
        for (const f of frames) f.fill(0)
        image?.bytes.fill(0)
        frames = []
      }
    },
  }
}
