import mqtt from 'mqtt'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import type { BrokerUser } from './acl-policy.ts'
import type { BrokerAuthenticator } from './broker-authenticator.ts'
import { type EmbeddedBroker, startEmbeddedBroker } from './embedded-broker.ts'

const logger = pino({ level: 'silent' })

/** Users by name and password, as the database-backed authenticator would answer. */
const USERS: Record<string, { password: string; user: BrokerUser }> = {
  k1: { password: 'pw1', user: { kind: 'kiosk', kioskId: 'k1' } },
  fleet: { password: 'fleet-pw', user: { kind: 'fleet' } },
}
const auth: BrokerAuthenticator = {
  async authenticate(username, password) {
    const entry = username === undefined ? undefined : USERS[username]
    return entry !== undefined && password?.toString() === entry.password ? entry.user : undefined
  },
}

let broker: EmbeddedBroker | undefined
const clients: mqtt.MqttClient[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) await client.endAsync(true)
  await broker?.close()
  broker = undefined
})

const connect = async (options: mqtt.IClientOptions) => {
  const client = await mqtt.connectAsync((broker as EmbeddedBroker).url, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...options,
  })
  clients.push(client)
  return client
}
const refusal = (options: mqtt.IClientOptions) =>
  connect(options).then(
    () => 0,
    (err: { code?: number }) => err.code ?? -1,
  )

describe('embedded broker', () => {
  it('without credentials admits anyone (development only)', async () => {
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger })
    expect((await connect({ clientId: 'anyone' })).connected).toBe(true)
  })

  it('refuses unknown users and wrong passwords with CONNACK 4', async () => {
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger, auth })
    expect(await refusal({ clientId: 'kiosk-k1' })).toBe(4)
    expect(await refusal({ clientId: 'kiosk-k1', username: 'k1', password: 'nope' })).toBe(4)
    expect(await refusal({ clientId: 'kiosk-k9', username: 'k9', password: 'pw1' })).toBe(4)
    expect(await refusal({ clientId: 'kiosk-k1', username: 'k1', password: 'pw1' })).toBe(0)
  })

  it("binds a kiosk to its client id, so it cannot take over another kiosk's session", async () => {
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger, auth })
    expect(await refusal({ clientId: 'kiosk-k2', username: 'k1', password: 'pw1' })).toBe(2)
    expect(await refusal({ clientId: 'fleet-any-id', username: 'fleet', password: 'fleet-pw' })).toBe(0)
  })

  it("checks a kiosk's Last Will at CONNECT: only its own state topic", async () => {
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger, auth })
    const will = (topic: string) => ({ topic, payload: Buffer.from('{}'), qos: 1 as const, retain: true })
    const k1 = { clientId: 'kiosk-k1', username: 'k1', password: 'pw1' }
    expect(await refusal({ ...k1, will: will('kiosk/v1/k2/state') })).toBe(5)
    expect(await refusal({ ...k1, will: will('kiosk/v1/k1/health') })).toBe(5)
    expect(await refusal({ ...k1, will: will('kiosk/v1/k1/state') })).toBe(0)
  })

  it('admits kiosks only once the fleet is ready, the fleet-server at once', async () => {
    let ready = false
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger, auth, admit: () => ready })
    expect(await refusal({ clientId: 'kiosk-k1', username: 'k1', password: 'pw1' })).toBe(3)
    expect(await refusal({ clientId: 'fleet', username: 'fleet', password: 'fleet-pw' })).toBe(0)
    ready = true
    expect(await refusal({ clientId: 'kiosk-k1', username: 'k1', password: 'pw1' })).toBe(0)
  })
})

describe('embedded broker hand-over to ingest', () => {
  it("acknowledges a kiosk's publish only once ingest has committed it", async () => {
    const commits: (() => void)[] = []
    const handed: string[] = []
    broker = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      logger,
      auth,
      ingest: (message, commit) => {
        if (message.topic.includes('/res/')) return false
        handed.push(message.topic)
        commits.push(commit)
        return true
      },
    })
    const kiosk = await connect({ clientId: 'kiosk-k1', username: 'k1', password: 'pw1' })
    let acked = false
    const published = kiosk.publishAsync('kiosk/v1/k1/health', '{}', { qos: 1 }).then(() => {
      acked = true
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(handed).toEqual(['kiosk/v1/k1/health'])
    expect(acked).toBe(false)
    for (const commit of commits) commit()
    await published
    expect(acked).toBe(true)
    // A command response is not ingest's: it passes straight on.
    await kiosk.publishAsync('kiosk/v1/k1/res/ping', '{}', { qos: 1 })
    expect(handed).toHaveLength(1)
  })
})
