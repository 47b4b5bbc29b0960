import { accepted, type MessageHandler, refused } from './message-handler.ts'

/** `kiosk/v1/{id}/deployments/{id}`: an update's progress, stored as an event for the rollout engine. */
export const handleDeployment: MessageHandler<'deployment'> = (topic, text, ctx) => {
  const r = ctx.codecs.deploymentStatus.decode(text)
  if (!r.ok) return refused(r.reason, ...r.errors)
  ctx.trackSeq(topic.kioskId, r.value.seq)
  ctx.batch.events.push({ kioskId: topic.kioskId, type: 'deployment', payload: r.value, receivedAt: ctx.receivedAt })
  return accepted
}
