import type { ParsedTopic } from '@kiosk-fleet/protocol'
import { handleBirth } from './handlers/birth-handler.ts'
import { handleDeployment } from './handlers/deployment-handler.ts'
import { handleDevice } from './handlers/device-handler.ts'
import { handleEvent } from './handlers/event-handler.ts'
import { handleHealth } from './handlers/health-handler.ts'
import type { HandlerContext, HandlerOutcome, MessageHandler, StoredKind } from './handlers/message-handler.ts'
import { handleState } from './handlers/state-handler.ts'

/** One handler per stored message kind (as MQTT.js has one per packet type). */
export const MESSAGE_HANDLERS: { readonly [K in StoredKind]: MessageHandler<K> } = {
  birth: handleBirth,
  state: handleState,
  health: handleHealth,
  device: handleDevice,
  event: handleEvent,
  deployment: handleDeployment,
}

export function isStoredKind(kind: ParsedTopic['kind']): kind is StoredKind {
  return Object.hasOwn(MESSAGE_HANDLERS, kind)
}

/** Dispatches a stored kind's message to its handler. */
export function handleMessage(
  topic: Extract<ParsedTopic, { kind: StoredKind }>,
  text: string,
  ctx: HandlerContext,
): HandlerOutcome {
  const handler = MESSAGE_HANDLERS[topic.kind] as MessageHandler<typeof topic.kind>
  return handler(topic as never, text, ctx)
}
