import { accepted, type MessageHandler, refused } from './message-handler.ts'

/** `kiosk/v1/{id}/state`: online/offline (also the Last Will); carries no sequence number. */
export const handleState: MessageHandler<'state'> = (topic, text, ctx) => {
  const r = ctx.codecs.state.decode(text)
  if (!r.ok) return refused(r.reason, ...r.errors)
  ctx.batch.states.push({ kioskId: topic.kioskId, payload: r.value, receivedAt: ctx.receivedAt })
  return accepted
}
