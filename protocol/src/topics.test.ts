import { describe, expect, it } from 'vitest'
import { kioskSubscriptions, parseTopic, SERVER_SUBSCRIPTIONS, topics } from './topics.ts'

describe('topic tree', () => {
  it('builds and parses every topic', () => {
    expect(parseTopic(topics.birth('k1'))).toEqual({ kind: 'birth', kioskId: 'k1' })
    expect(parseTopic(topics.state('k1'))).toEqual({ kind: 'state', kioskId: 'k1' })
    expect(parseTopic(topics.health('k1'))).toEqual({ kind: 'health', kioskId: 'k1' })
    expect(parseTopic(topics.device('k1', 'receipt'))).toEqual({ kind: 'device', kioskId: 'k1', deviceId: 'receipt' })
    expect(parseTopic(topics.event('k1', 'device-status'))).toEqual({
      kind: 'event',
      kioskId: 'k1',
      eventType: 'device-status',
    })
    expect(parseTopic(topics.request('k1', 'ping'))).toEqual({ kind: 'request', kioskId: 'k1', command: 'ping' })
    expect(parseTopic(topics.response('k1', 'ping'))).toEqual({ kind: 'response', kioskId: 'k1', command: 'ping' })
    expect(parseTopic(topics.deployment('k1', 'd7'))).toEqual({ kind: 'deployment', kioskId: 'k1', deploymentId: 'd7' })
  })

  it.each([
    'kiosk/v2/k1/state',
    'kiosk/v1/k1',
    'kiosk/v1/k1/state/extra',
    'kiosk/v1/+/state',
    'kiosk/v1/$SYS/state',
    'kiosk/v1/k1/devices',
    'kiosk/v1/k1/unknown/x',
    'kiosk/v1/k1/devices/a b',
    '',
  ])('rejects %j', (topic) => {
    expect(parseTopic(topic)).toBeUndefined()
  })

  it('subscribes the server to every kiosk→fleet topic and a kiosk only to its own requests', () => {
    expect(SERVER_SUBSCRIPTIONS).toContain('kiosk/v1/+/health')
    expect(kioskSubscriptions('k1')).toEqual(['kiosk/v1/k1/req/+'])
  })
})
