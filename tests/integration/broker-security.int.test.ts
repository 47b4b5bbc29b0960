import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createKioskAgent, type KioskAgent } from '@kiosk/agent'
import { SERVER_SUBSCRIPTIONS, sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collectOutput } from '../support/child-output.ts'
import { quietLogger, testAgentConfig } from '../support/fleet.ts'
import { TEST_FLEET_MQTT, TEST_FLEET_OBSERVER } from '../support/kiosk-credentials.ts'
import { type StackMode, startStack, type TestStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

/** Both brokers: the embedded Aedes enforces the policy itself; Mosquitto runs on the generated files. */
const MODES: StackMode[] = [
  { broker: 'embedded-aedes', db: 'pglite' },
  { broker: 'mosquitto', db: 'postgres' },
]

const ENROL_BIN = resolve('kiosk/agent/bin/kiosk-agent-enrol.mjs')
const FLEET_BIN = resolve('fleet-server/server/bin/fleet-server.mjs')

function run(bin: string, args: string[], env: Record<string, string> = {}) {
  return collectOutput(spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } })).exited
}

describe.each(MODES)('broker security on $broker + $db', (mode) => {
  let stack: TestStack
  const clients: MqttClient[] = []
  const agents: KioskAgent[] = []

  beforeAll(async () => {
    stack = await startStack(mode)
  })
  afterAll(async () => {
    for (const client of clients) await client.endAsync(true)
    for (const agent of agents) await agent.stop()
    await stack?.stop()
  })

  const connect = async (options: mqtt.IClientOptions) => {
    const client = await mqtt.connectAsync(stack.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0, ...options })
    clients.push(client)
    return client
  }
  /** The CONNACK return code of a refused CONNECT. */
  const refusal = async (options: mqtt.IClientOptions): Promise<number> => {
    const error = await connect(options).then(
      () => undefined,
      (err: { code?: number }) => err,
    )
    expect(error, 'connection should be refused').toBeDefined()
    return error?.code ?? -1
  }
  /** Sees everything kiosks publish, as the fleet-server does. */
  const observe = async () => {
    const seen: string[] = []
    const observer = await connect({
      ...TEST_FLEET_OBSERVER,
      clientId: `observer-${Math.random().toString(36).slice(2)}`,
    })
    observer.on('message', (topic) => seen.push(topic))
    await observer.subscribeAsync([...SERVER_SUBSCRIPTIONS], { qos: 1 })
    return seen
  }
  const apiStatus = async (path: string) =>
    (await fetch(`${stack.fleet().httpUrl}${path}`, { headers: { cookie: stack.adminCookie } })).status

  it('refuses a wrong password, an unknown user and an anonymous client', async () => {
    const a = await stack.provisionKiosk('sec-a')
    // Aedes answers "bad user name or password" (4); Mosquitto 2.0 on MQTT 3.1.1 "not authorized" (5).
    expect([4, 5]).toContain(await refusal({ username: 'sec-a', password: `${a.password}x`, clientId: 'kiosk-sec-a' }))
    expect([4, 5]).toContain(await refusal({ username: 'nobody', password: a.password, clientId: 'kiosk-nobody' }))
    expect([4, 5]).toContain(await refusal({ clientId: 'kiosk-sec-a' }))
    expect([4, 5]).toContain(
      await refusal({ username: TEST_FLEET_MQTT.username, password: 'wrong', clientId: 'fleet-impostor' }),
    )
    const ok = await connect({ ...a, clientId: 'kiosk-sec-a' })
    expect(ok.connected).toBe(true)
    await ok.endAsync()
  })

  it('does not let kiosk A publish as kiosk B: nothing reaches a subscriber or the fleet', async () => {
    const a = await stack.provisionKiosk('sec-a')
    await stack.provisionKiosk('sec-b')
    const seen = await observe()
    const forger = await connect({ ...a, clientId: 'kiosk-sec-a' })
    const forged = JSON.stringify(sampleBirth({ kioskId: 'sec-b' }))
    if (mode.broker === 'embedded-aedes') {
      // Aedes closes the connection of a client that publishes where it may not.
      const closed = new Promise<void>((r) => forger.once('close', () => r()))
      forger.publish('kiosk/v1/sec-b/birth', forged, { qos: 1 })
      await closed
    } else {
      // Mosquitto acknowledges and silently drops a denied publish on MQTT 3.1.1.
      await forger.publishAsync('kiosk/v1/sec-b/birth', forged, { qos: 1 })
      await forger.publishAsync('kiosk/v1/sec-b/health', JSON.stringify(sampleHealth()), { qos: 1 })
    }
    await forger.endAsync(true)

    // Then kiosk A reports as itself: once that arrived, the forged messages would have too.
    const honest = await connect({ ...a, clientId: 'kiosk-sec-a' })
    await honest.publishAsync('kiosk/v1/sec-a/birth', JSON.stringify(sampleBirth({ kioskId: 'sec-a' })), { qos: 1 })
    await waitFor('kiosk A in the fleet', async () => (await apiStatus('/api/kiosks/sec-a')) === 200)
    await waitFor('kiosk A at the observer', () => seen.includes('kiosk/v1/sec-a/birth'))
    expect(seen.filter((t) => t.includes('/sec-b/'))).toEqual([])
    expect(await apiStatus('/api/kiosks/sec-b')).toBe(404)
    await honest.endAsync()
  })

  it("does not let kiosk A subscribe to kiosk B's requests: B's command never reaches A", async () => {
    const a = await stack.provisionKiosk('sec-a')
    const kioskA = await connect({ ...a, clientId: 'kiosk-sec-a' })
    const received: string[] = []
    kioskA.on('message', (topic) => received.push(topic))
    const filters = ['kiosk/v1/sec-b/req/+', 'kiosk/v1/+/req/+', 'kiosk/v1/#', '#', 'kiosk/v1/sec-a/req/+']
    // MQTT.js rejects a SUBACK that refuses any filter, with the SUBACK attached.
    const granted = await kioskA.subscribeAsync(filters, { qos: 1 }).then(
      (subs) => subs.map((s) => s.qos),
      (err: { packet?: { granted?: number[] } }) => {
        if (err.packet?.granted === undefined) throw err
        return err.packet.granted
      },
    )
    if (mode.broker === 'embedded-aedes') {
      // Aedes refuses each filter beyond A's own requests with SUBACK 0x80.
      expect(granted).toEqual([128, 128, 128, 128, 1])
    } else {
      // Mosquitto 2.0's acl_file grants every SUBSCRIBE and checks read access as it delivers.
      expect(granted).toHaveLength(filters.length)
    }

    const fleet = await connect({
      ...TEST_FLEET_OBSERVER,
      clientId: `fleet-cmd-${Math.random().toString(36).slice(2)}`,
    })
    const request = (kioskId: string) =>
      JSON.stringify({ transaction: `t-${kioskId}`, ts: Date.now(), expiresAt: Date.now() + 60_000 })
    await fleet.publishAsync('kiosk/v1/sec-b/req/ping', request('sec-b'), { qos: 1 })
    await fleet.publishAsync('kiosk/v1/sec-a/req/ping', request('sec-a'), { qos: 1 })
    await waitFor("A's own request", () => received.includes('kiosk/v1/sec-a/req/ping'))
    // Overlapping subscriptions may bring A's own request more than once; nothing else may come.
    expect([...new Set(received)]).toEqual(['kiosk/v1/sec-a/req/ping'])
    await kioskA.endAsync()
  })

  it("refuses (Aedes) or drops (Mosquitto) a Last Will on another kiosk's state", async () => {
    const a = await stack.provisionKiosk('sec-a')
    const seen = await observe()
    const will = { topic: 'kiosk/v1/sec-b/state', payload: Buffer.from('{"state":"offline"}'), qos: 1 as const }
    const options = { ...a, clientId: 'kiosk-sec-a', will }
    if (mode.broker === 'embedded-aedes') {
      // The embedded broker checks the will at CONNECT: CONNACK 5, not authorized.
      expect(await refusal(options)).toBe(5)
      return
    }
    // Mosquitto takes the CONNECT and checks the will when it would publish it: cut the connection
    // so the will fires, then see only what kiosk A may publish arrive.
    const client = await connect(options)
    const closed = new Promise<void>((r) => client.once('close', () => r()))
    client.stream.destroy()
    await closed
    const marker = await connect({ ...a, clientId: 'kiosk-sec-a' })
    await marker.publishAsync('kiosk/v1/sec-a/health', JSON.stringify(sampleHealth()), { qos: 1 })
    await waitFor('marker at the observer', () => seen.includes('kiosk/v1/sec-a/health'))
    expect(seen).not.toContain('kiosk/v1/sec-b/state')
    await marker.endAsync()
  })

  // Aedes 1.x has no shared subscriptions (the fleet's `mqtt.sharedGroup` needs Mosquitto or MQTT 5);
  // its policy for `$share/…` is in the ACL unit table.
  if (mode.broker === 'mosquitto') {
    it('lets the fleet-server read kiosk reports through a shared subscription', async () => {
      const a = await stack.provisionKiosk('sec-a')
      const fleet = await connect({
        ...TEST_FLEET_OBSERVER,
        clientId: `fleet-share-${Math.random().toString(36).slice(2)}`,
      })
      const seen: string[] = []
      fleet.on('message', (topic) => seen.push(topic))
      const granted = await fleet.subscribeAsync('$share/replicas/kiosk/v1/+/health', { qos: 1 })
      expect(granted.map((g) => g.qos)).toEqual([1])
      const kioskA = await connect({ ...a, clientId: 'kiosk-sec-a' })
      await kioskA.publishAsync('kiosk/v1/sec-a/health', JSON.stringify(sampleHealth()), { qos: 1 })
      await waitFor('health through the shared subscription', () => seen.includes('kiosk/v1/sec-a/health'))
      await kioskA.endAsync()
    })
  }

  it("refuses a kiosk's credential the client id of another kiosk: the other stays connected", async () => {
    const a = await stack.provisionKiosk('sec-a')
    const b = await stack.provisionKiosk('sec-b')
    const victim = await connect({ ...a, clientId: 'kiosk-sec-a' })
    let kicked = false
    victim.on('close', () => {
      kicked = true
    })
    // Aedes refuses the CONNECT (identifier rejected); Mosquitto gives the impostor its own user name
    // as client id (use_username_as_clientid), so it never reaches sec-a's session.
    await connect({ ...b, clientId: 'kiosk-sec-a' }).then(
      (impostor) => impostor.endAsync(true),
      (err: { code?: number }) => expect(err.code).toBe(2),
    )
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(kicked).toBe(false)
    expect(victim.connected).toBe(true)
    await victim.endAsync()
  })

  it("never issues the fleet-server's own user name to a kiosk", async () => {
    const response = await fetch(`${stack.fleet().httpUrl}/api/kiosks/${TEST_FLEET_MQTT.username}/enrolment`, {
      method: 'POST',
      headers: { cookie: stack.adminCookie },
    })
    expect(response.status).toBe(409)
    expect(await response.json()).toMatchObject({ code: 'ERR_FLEET_RESERVED_KIOSK_ID' })
  })

  it('enrols a kiosk end to end: token, credentials file, the agent online; a reused token is refused', async () => {
    const ticket = await stack.api<{ token: string; expiresAt: string }>('/api/kiosks/sec-new/enrolment', {
      method: 'POST',
    })
    expect(ticket.token).toMatch(/^fleet_enr_/)
    const dir = mkdtempSync(join(tmpdir(), 'enrol-'))
    const out = join(dir, 'credentials.json')
    const server = stack.fleet().httpUrl
    const args = ['--server', server, '--kiosk-id', 'sec-new', '--token', ticket.token, '--out', out]
    const enrolled = await run(ENROL_BIN, args)
    expect(enrolled.stderr).toBe('')
    expect(enrolled.code).toBe(0)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    const credentials = JSON.parse(readFileSync(out, 'utf8')) as {
      mqtt: { url: string; username: string; password: string }
    }
    expect(credentials.mqtt).toMatchObject({ url: stack.mqttUrl, username: 'sec-new' })

    if (stack.mosquittoAuth !== undefined) {
      // The operator regenerates Mosquitto's files from the database and makes Mosquitto reread them.
      const generated = await run(FLEET_BIN, ['mosquitto-config', '--out', stack.mosquittoAuth.dir], {
        FLEET_MQTT__USERNAME: TEST_FLEET_MQTT.username,
        FLEET_MQTT__PASSWORD: TEST_FLEET_MQTT.password,
        ...(stack.database.url === undefined ? {} : { FLEET_DATABASE__URL: stack.database.url }),
        ...(stack.database.schema === undefined ? {} : { FLEET_DATABASE__SCHEMA: stack.database.schema }),
      })
      expect(generated.stderr).toBe('')
      expect(generated.code).toBe(0)
      const passwd = readFileSync(join(stack.mosquittoAuth.dir, 'passwd'), 'utf8')
      expect(passwd).toMatch(/^sec-new:\$7\$/m)
      expect(passwd).not.toContain(credentials.mqtt.password)
      // Mosquitto runs as its own user: the password file (hashes only) must be readable by it.
      chmodSync(join(stack.mosquittoAuth.dir, 'passwd'), 0o644)
      stack.mosquittoAuth.reload()
    }

    const agent = createKioskAgent({
      config: testAgentConfig('sec-new', credentials.mqtt.url, {
        mqtt: { username: credentials.mqtt.username, password: credentials.mqtt.password },
      }),
      logger: quietLogger,
    })
    agents.push(agent)
    await agent.start()
    await waitFor('enrolled kiosk online', async () => {
      const kiosk = await stack.api<{ state?: string }>('/api/kiosks/sec-new')
      return kiosk.state === 'online'
    })

    const reused = await run(ENROL_BIN, [...args.slice(0, -1), join(dir, 'again.json')])
    expect(reused.code).toBe(1)
    expect(reused.stderr).toContain('ERR_FLEET_ENROLMENT_REFUSED')
  })
})
