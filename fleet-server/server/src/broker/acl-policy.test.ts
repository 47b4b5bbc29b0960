import { describe, expect, it } from 'vitest'
import { type BrokerAccess, type BrokerUser, filterWithin, isAllowed } from './acl-policy.ts'

const A: BrokerUser = { kind: 'kiosk', kioskId: 'k-a' }
const FLEET: BrokerUser = { kind: 'fleet' }

type Row = [topic: string, access: BrokerAccess, kioskA: boolean, fleet: boolean]

/** Topics × users: what kiosk k-a and the fleet-server may do. Nobody unauthenticated may do anything. */
const TABLE: Row[] = [
  // kiosk k-a's own reports
  ['kiosk/v1/k-a/birth', 'publish', true, false],
  ['kiosk/v1/k-a/state', 'publish', true, false],
  ['kiosk/v1/k-a/health', 'publish', true, false],
  ['kiosk/v1/k-a/devices/receipt', 'publish', true, false],
  ['kiosk/v1/k-a/events/device-status', 'publish', true, false],
  ['kiosk/v1/k-a/res/ping', 'publish', true, false],
  ['kiosk/v1/k-a/deployments/d1', 'publish', true, false],
  // requests: the fleet sends them, no kiosk does
  ['kiosk/v1/k-a/req/ping', 'publish', false, true],
  ['kiosk/v1/k-b/req/ping', 'publish', false, true],
  // another kiosk's topics
  ['kiosk/v1/k-b/health', 'publish', false, false],
  ['kiosk/v1/k-b/state', 'publish', false, false],
  ['kiosk/v1/k-b/res/ping', 'publish', false, false],
  // outside the contract
  ['kiosk/v1/k-a/health/extra', 'publish', false, false],
  ['kiosk/v1/k-a/secrets', 'publish', false, false],
  ['kiosk/v2/k-a/health', 'publish', false, false],
  ['$SYS/broker/uptime', 'publish', false, false],
  ['other/topic', 'publish', false, false],
  // subscriptions
  ['kiosk/v1/k-a/req/+', 'subscribe', true, false],
  ['kiosk/v1/k-a/req/ping', 'subscribe', true, false],
  ['kiosk/v1/k-a/req/#', 'subscribe', false, false],
  ['kiosk/v1/k-a/#', 'subscribe', false, false],
  ['kiosk/v1/k-b/req/+', 'subscribe', false, false],
  ['kiosk/v1/+/req/+', 'subscribe', false, false],
  ['kiosk/v1/+/health', 'subscribe', false, true],
  ['kiosk/v1/+/birth', 'subscribe', false, true],
  ['kiosk/v1/+/devices/+', 'subscribe', false, true],
  ['kiosk/v1/+/res/+', 'subscribe', false, true],
  ['kiosk/v1/k-b/health', 'subscribe', false, true],
  ['$share/fleet/kiosk/v1/+/health', 'subscribe', false, true],
  ['$share/fleet/kiosk/v1/+/req/+', 'subscribe', false, false],
  ['$share//kiosk/v1/+/health', 'subscribe', false, false],
  ['kiosk/v1/#', 'subscribe', false, false],
  ['#', 'subscribe', false, false],
  ['kiosk/v1/+/req/+', 'subscribe', false, false],
  // Last Will: a kiosk's own state only; the fleet sets none
  ['kiosk/v1/k-a/state', 'will', true, false],
  ['kiosk/v1/k-a/health', 'will', false, false],
  ['kiosk/v1/k-b/state', 'will', false, false],
]

describe('broker ACL policy', () => {
  it.each(TABLE)('%s %s: kiosk k-a %s, fleet %s', (topic, access, kioskA, fleet) => {
    expect(isAllowed(A, access, topic)).toBe(kioskA)
    expect(isAllowed(FLEET, access, topic)).toBe(fleet)
    expect(isAllowed(undefined, access, topic)).toBe(false)
  })

  it('gives a kiosk with an id that is not a single topic segment nothing', () => {
    for (const kioskId of ['+', '#', 'a/b', '$a', '']) {
      expect(isAllowed({ kind: 'kiosk', kioskId }, 'subscribe', `kiosk/v1/${kioskId}/req/+`)).toBe(false)
      expect(isAllowed({ kind: 'kiosk', kioskId }, 'publish', `kiosk/v1/${kioskId}/health`)).toBe(false)
    }
  })

  it('compares topic filters by what they match', () => {
    expect(filterWithin('a/b/c', 'a/+/c')).toBe(true)
    expect(filterWithin('a/+/c', 'a/+/c')).toBe(true)
    expect(filterWithin('a/#', 'a/+/c')).toBe(false)
    expect(filterWithin('a/b', 'a/#')).toBe(true)
    expect(filterWithin('a', 'a/#')).toBe(false)
    expect(filterWithin('a/b/c/d', 'a/+/c')).toBe(false)
    expect(filterWithin('a/b', 'a/b/c')).toBe(false)
  })
})
