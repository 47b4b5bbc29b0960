import { isValidId } from './ids.ts'

/** The one versioned root of the contract. A breaking change gets `kiosk/v2`. */
export const TOPIC_ROOT = 'kiosk/v1'

export const topics = {
  birth: (kioskId: string) => `${TOPIC_ROOT}/${kioskId}/birth`,
  state: (kioskId: string) => `${TOPIC_ROOT}/${kioskId}/state`,
  health: (kioskId: string) => `${TOPIC_ROOT}/${kioskId}/health`,
  device: (kioskId: string, deviceId: string) => `${TOPIC_ROOT}/${kioskId}/devices/${deviceId}`,
  event: (kioskId: string, eventType: string) => `${TOPIC_ROOT}/${kioskId}/events/${eventType}`,
  request: (kioskId: string, command: string) => `${TOPIC_ROOT}/${kioskId}/req/${command}`,
  response: (kioskId: string, command: string) => `${TOPIC_ROOT}/${kioskId}/res/${command}`,
  deployment: (kioskId: string, deploymentId: string) => `${TOPIC_ROOT}/${kioskId}/deployments/${deploymentId}`,
} as const

/** What the fleet-server subscribes to (prefix with `$share/{group}/` to split ingest across replicas). */
export const SERVER_SUBSCRIPTIONS = [
  `${TOPIC_ROOT}/+/birth`,
  `${TOPIC_ROOT}/+/state`,
  `${TOPIC_ROOT}/+/health`,
  `${TOPIC_ROOT}/+/devices/+`,
  `${TOPIC_ROOT}/+/events/+`,
  `${TOPIC_ROOT}/+/res/+`,
  `${TOPIC_ROOT}/+/deployments/+`,
] as const

/** What a kiosk subscribes to: only its own requests. */
export function kioskSubscriptions(kioskId: string): string[] {
  return [`${TOPIC_ROOT}/${kioskId}/req/+`]
}

export type ParsedTopic =
  | { kind: 'birth'; kioskId: string }
  | { kind: 'state'; kioskId: string }
  | { kind: 'health'; kioskId: string }
  | { kind: 'device'; kioskId: string; deviceId: string }
  | { kind: 'event'; kioskId: string; eventType: string }
  | { kind: 'request'; kioskId: string; command: string }
  | { kind: 'response'; kioskId: string; command: string }
  | { kind: 'deployment'; kioskId: string; deploymentId: string }

/** Parses a concrete topic of the contract; anything else (or a bad id segment) is `undefined`. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/')
  if (parts[0] !== 'kiosk' || parts[1] !== 'v1') return undefined
  const kioskId = parts[2]
  if (kioskId === undefined || !isValidId(kioskId)) return undefined
  const [, , , leaf, arg, ...rest] = parts
  if (rest.length > 0) return undefined
  if (arg === undefined) {
    if (leaf === 'birth' || leaf === 'state' || leaf === 'health') return { kind: leaf, kioskId }
    return undefined
  }
  if (!isValidId(arg)) return undefined
  switch (leaf) {
    case 'devices':
      return { kind: 'device', kioskId, deviceId: arg }
    case 'events':
      return { kind: 'event', kioskId, eventType: arg }
    case 'req':
      return { kind: 'request', kioskId, command: arg }
    case 'res':
      return { kind: 'response', kioskId, command: arg }
    case 'deployments':
      return { kind: 'deployment', kioskId, deploymentId: arg }
    default:
      return undefined
  }
}
