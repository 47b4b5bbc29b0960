import type { Codecs, ParsedTopic } from '@kiosk-fleet/protocol'
import type { IngestBatch } from '../ingest-batch.ts'

/** Why a message was refused before it reached the batch (the `invalid` counters of IngestStats). */
export type InvalidReason = 'topic' | 'notJson' | 'schema' | 'tooLarge' | 'mismatch'

/** What a handler decided: the message went into the batch, or it is refused (and counted). */
export type HandlerOutcome = { ok: true } | { ok: false; reason: InvalidReason; errors: string[] }

/** What every handler gets besides its message: the open batch, codecs, receipt time, seq tracking. */
export interface HandlerContext {
  batch: IngestBatch
  codecs: Codecs
  receivedAt: number
  /** Notes the kiosk's sequence number (gap detection). */
  trackSeq(kioskId: string, seq: number): void
}

/** Kinds of topic that ingest writes to the database. */
export type StoredKind = Exclude<ParsedTopic['kind'], 'request' | 'response'>

/** Validates one message of its kind and puts it into the batch. Pure apart from `ctx`. */
export type MessageHandler<K extends StoredKind> = (
  topic: Extract<ParsedTopic, { kind: K }>,
  text: string,
  ctx: HandlerContext,
) => HandlerOutcome

export const accepted: HandlerOutcome = { ok: true }

export function refused(reason: InvalidReason, ...errors: string[]): HandlerOutcome {
  return { ok: false, reason, errors }
}
