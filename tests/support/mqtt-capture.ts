import mqtt from 'mqtt'

export interface MqttCapture {
  /** Every payload seen on `kiosk/#`, with its topic, as text. */
  readonly messages: { topic: string; payload: string }[]
  close(): Promise<void>
}

/** A plain subscriber on everything the kiosks publish: what a broker eavesdropper would see. */
export async function captureMqtt(url: string): Promise<MqttCapture> {
  const client = await mqtt.connectAsync(url, { clientId: `capture-${Math.random().toString(36).slice(2, 10)}` })
  const messages: { topic: string; payload: string }[] = []
  client.on('message', (topic, payload) => messages.push({ topic, payload: payload.toString('utf8') }))
  await client.subscribeAsync('kiosk/#', { qos: 1 })
  return { messages, close: () => client.endAsync() }
}
