import { isValidId, kioskSubscriptions, parseTopic, SERVER_SUBSCRIPTIONS } from '@kiosk-fleet/protocol'

/**
 * Who is on the other end of an MQTT connection (README.md "Broker security and enrolment"): a kiosk,
 * whose user name is its id, or the fleet-server. Vendors and staff never talk MQTT.
 */
export type BrokerUser = { kind: 'fleet' } | { kind: 'kiosk'; kioskId: string }

/** `will` is the Last Will a client registers in CONNECT, checked before the broker accepts it. */
export type BrokerAccess = 'publish' | 'subscribe' | 'will'

/**
 * What a kiosk may publish, as topic filters under `kiosk/v1/{its id}/`: the brokers' generated
 * ACLs (mosquitto-config.ts, nats-config.ts) say this; isAllowed below says the same by topic kind.
 */
export const KIOSK_PUBLISH_LEAVES: readonly string[] = [
  'birth',
  'state',
  'health',
  'devices/+',
  'events/+',
  'res/+',
  'deployments/+',
]

/** What a kiosk may publish: its own reports and responses, nothing else and nobody else's. */
const KIOSK_PUBLISHES: ReadonlySet<string> = new Set([
  'birth',
  'state',
  'health',
  'device',
  'event',
  'response',
  'deployment',
])

/**
 * Whether `filter` matches only topics that `allowed` matches too (both MQTT topic filters
 * [MQTT-4.7.1]): `kiosk/v1/k1/req/ping` is within `kiosk/v1/k1/req/+`, `kiosk/v1/+/req/+` is not.
 */
export function filterWithin(filter: string, allowed: string): boolean {
  const want = filter.split('/')
  const have = allowed.split('/')
  for (let i = 0; i < want.length; i++) {
    const a = have[i]
    if (a === '#') return true
    if (a === undefined) return false
    const w = want[i]
    if (w === '#') return false
    if (a === '+') continue
    if (w !== a) return false
  }
  return want.length === have.length
}

/** `$share/{group}/{filter}` → `{filter}` [MQTT-4.8.2]; undefined for a malformed share. */
function unshare(filter: string): string | undefined {
  if (!filter.startsWith('$share/')) return filter
  const match = /^\$share\/([^/+#]+)\/(.+)$/.exec(filter)
  return match?.[2]
}

/**
 * The broker's access policy, one pure function for both brokers (the embedded Aedes enforces it;
 * the generated Mosquitto ACL says the same in Mosquitto's words):
 * - kiosk X publishes only `kiosk/v1/X/{birth,state,health,devices/+,events/+,res/+,deployments/+}`,
 *   subscribes only `kiosk/v1/X/req/+` (or one command under it), and its Last Will is its own `state`;
 * - the fleet-server subscribes to SERVER_SUBSCRIPTIONS (also as `$share/{group}/…`) and publishes
 *   requests `kiosk/v1/{any kiosk}/req/{command}`;
 * - nobody else may do anything.
 */
export function isAllowed(user: BrokerUser | undefined, access: BrokerAccess, topic: string): boolean {
  if (user === undefined) return false
  if (user.kind === 'kiosk') {
    if (!isValidId(user.kioskId)) return false
    if (access === 'subscribe') return kioskSubscriptions(user.kioskId).some((allowed) => filterWithin(topic, allowed))
    const parsed = parseTopic(topic)
    if (parsed === undefined || parsed.kioskId !== user.kioskId) return false
    return access === 'will' ? parsed.kind === 'state' : KIOSK_PUBLISHES.has(parsed.kind)
  }
  if (access === 'subscribe') {
    const filter = unshare(topic)
    return filter !== undefined && SERVER_SUBSCRIPTIONS.some((allowed) => filterWithin(filter, allowed))
  }
  // The fleet-server sets no Last Will; it only sends requests.
  return access === 'publish' && parseTopic(topic)?.kind === 'request'
}
