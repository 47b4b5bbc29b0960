import { accepted, type MessageHandler, refused } from './message-handler.ts'

/** `kiosk/v1/{id}/events/{type}`: only `device-status` events are part of the contract. */
export const handleEvent: MessageHandler<'event'> = (topic, text, ctx) => {
  if (topic.eventType !== 'device-status') return refused('topic', 'unknown event type')
  const r = ctx.codecs.deviceStatusEvent.decode(text)
  if (!r.ok) return refused(r.reason, ...r.errors)
  ctx.trackSeq(topic.kioskId, r.value.seq)
  ctx.batch.events.push({
    kioskId: topic.kioskId,
    type: topic.eventType,
    payload: r.value,
    receivedAt: ctx.receivedAt,
  })
  return accepted
}
