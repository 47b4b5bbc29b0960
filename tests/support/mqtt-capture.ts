import { SERVER_SUBSCRIPTIONS } from '@kiosk-fleet/protocol'
import mqtt from 'mqtt'
import { TEST_FLEET_OBSERVER } from './kiosk-credentials.ts'

export interface MqttCapture {
  /** Every payload the kiosks publish (the fleet-server's subscriptions), with its topic, as text. */
  readonly messages: { topic: string; payload: string }[]
  close(): Promise<void>
}

/**
 * A plain subscriber on everything the kiosks publish: what a broker eavesdropper would see. The
 * broker lets only the fleet-server read that, so it logs in with the test fleet's credential.
 */
export async function captureMqtt(url: string): Promise<MqttCapture> {
  const client = await mqtt.connectAsync(url, {
    clientId: `capture-${Math.random().toString(36).slice(2, 10)}`,
    ...TEST_FLEET_OBSERVER,
  })
  const messages: { topic: string; payload: string }[] = []
  client.on('message', (topic, payload) => messages.push({ topic, payload: payload.toString('utf8') }))
  await client.subscribeAsync([...SERVER_SUBSCRIPTIONS], { qos: 1 })
  return { messages, close: () => client.endAsync() }
}
