import { accepted, type MessageHandler, refused } from './message-handler.ts'

/** `kiosk/v1/{id}/health`: the periodic snapshot, stored as the validated text it arrived as. */
export const handleHealth: MessageHandler<'health'> = (topic, text, ctx) => {
  const r = ctx.codecs.health.decode(text)
  if (!r.ok) return refused(r.reason, ...r.errors)
  ctx.trackSeq(topic.kioskId, r.value.seq)
  ctx.batch.health.push({ kioskId: topic.kioskId, payload: r.value, receivedAt: ctx.receivedAt, raw: text })
  return accepted
}
