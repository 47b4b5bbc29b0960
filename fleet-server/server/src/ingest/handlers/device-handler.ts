import { accepted, type MessageHandler, refused } from './message-handler.ts'

/** `kiosk/v1/{id}/devices/{deviceId}`: one peripheral's retained status; the id must match the topic. */
export const handleDevice: MessageHandler<'device'> = (topic, text, ctx) => {
  const r = ctx.codecs.deviceStatus.decode(text)
  if (!r.ok) return refused(r.reason, ...r.errors)
  if (r.value.deviceId !== topic.deviceId) return refused('mismatch', 'deviceId differs from topic')
  ctx.trackSeq(topic.kioskId, r.value.seq)
  ctx.batch.deviceStatuses.push({ kioskId: topic.kioskId, payload: r.value, receivedAt: ctx.receivedAt })
  return accepted
}
