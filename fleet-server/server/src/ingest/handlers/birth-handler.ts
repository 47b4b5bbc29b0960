import { accepted, type MessageHandler, refused } from './message-handler.ts'

/** `kiosk/v1/{id}/birth`: the kiosk's identity, peripherals and software; the id must match the topic. */
export const handleBirth: MessageHandler<'birth'> = (topic, text, ctx) => {
  const r = ctx.codecs.birth.decode(text)
  if (!r.ok) return refused(r.reason, ...r.errors)
  if (r.value.kioskId !== topic.kioskId) return refused('mismatch', 'kioskId differs from topic')
  ctx.trackSeq(topic.kioskId, r.value.seq)
  ctx.batch.births.push({ kioskId: topic.kioskId, payload: r.value, receivedAt: ctx.receivedAt })
  return accepted
}
