import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { fixtureCard, type KioskRig, startKioskRig } from '../support/kiosk-rig.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

/**
 * What lifting the ID card does follows the service definition's `endsOnCardRemoval`, through the
 * whole agent: the GA 467 emulator on a pty, the driver's removal event, the session manager and the
 * local API the UI talks to. (The rules themselves: kiosk/agent/src/sessions/card-removal.test.ts.)
 */

interface Message {
  header: { type: string; name: string; requestId: number }
  payload: Record<string, unknown>
}

/** The UI's side of the local API: commands one after another, and every event the agent sent. */
class UiClient {
  readonly events: Message[] = []
  #next = 1
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as Message
      if (msg.header.type === 'event' || msg.header.type === 'unsolicited') this.events.push(msg)
    })
  }

  static async open(rig: KioskRig): Promise<UiClient> {
    const citizen = rig.agent.citizen
    if (!citizen) throw new Error('no citizen services')
    const ws = new WebSocket(`${citizen.url.replace('http', 'ws')}/xfs4iot/v1.0`, [
      'xfs4iot.v1',
      `token.${citizen.token}`,
    ])
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    return new UiClient(ws)
  }

  command(name: string, payload: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const requestId = this.#next++
    return new Promise((resolve) => {
      const onMessage = (data: WebSocket.RawData) => {
        const msg = JSON.parse(String(data)) as Message
        if (msg.header.requestId !== requestId || msg.header.type !== 'completion') return
        this.ws.off('message', onMessage)
        resolve(msg.payload)
      }
      this.ws.on('message', onMessage)
      this.ws.send(JSON.stringify({ header: { type: 'command', name, requestId, version: '1.0' }, payload }))
    })
  }

  ended(sessionId: unknown): string | undefined {
    const event = this.events.find((e) => e.header.name === 'Session.EndedEvent' && e.payload.sessionId === sessionId)
    return event?.payload.reason as string | undefined
  }
}

const card = fixtureCard('resident-zhang-san')

describe('lifting the ID card, as each service definition says', () => {
  let stack: TestStack
  let rig: KioskRig
  let ui: UiClient
  let lifts = 0

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    // The shortest idle reset the config allows, for the walk-away case.
    rig = await startKioskRig({
      kioskId: 'int-card-removal-01',
      machineType: 'comprehensive',
      mqttUrl: stack.mqttUrl,
      ui: { idleTimeoutMs: 21_000, idleWarningMs: 20_000 },
    })
    const reader = rig.agent.devices.cardReader()
    if (!reader) throw new Error('the comprehensive rig has no ID-card reader')
    reader.on('cardRemoved', () => {
      lifts += 1
    })
    ui = await UiClient.open(rig)
  })
  afterAll(async () => {
    ui?.ws.close()
    await rig?.stop()
    await stack?.stop()
  })

  /** Starts the service, puts the card down and reads it; returns the session id. */
  async function identified(serviceId: string): Promise<string> {
    const started = await ui.command('Session.Start', { serviceId })
    expect(started).toMatchObject({ completionCode: 'success', serviceId })
    rig.reader.presentCard(card)
    const read = await ui.command('Session.ReadIdCard', { fresh: true, timeoutMs: 10_000 })
    expect(read).toMatchObject({ completionCode: 'success', method: 'idCard' })
    expect(rig.agent.citizen?.sessions.current?.citizen?.idNumber).toBe(card.text.idNumber)
    return started.sessionId as string
  }

  /** Lifts the card and waits until the driver has reported it. */
  async function lift(): Promise<void> {
    const before = lifts
    rig.reader.removeCard()
    await waitFor('the driver reports the card lifted', () => lifts > before || undefined)
  }

  it('id-progress (true): lifting the card ends the session at once and wipes it', async () => {
    const sessionId = await identified('id-progress')
    const session = rig.agent.citizen?.sessions.current
    await lift()
    await waitFor('Session.EndedEvent', () => ui.ended(sessionId))
    expect(ui.ended(sessionId)).toBe('cardRemoved')
    expect(rig.agent.citizen?.sessions.current).toBeUndefined()
    expect(session?.citizen).toBeUndefined()
    expect(session?.heldItems).toBe(0)
  })

  it('mi-account-balance (false): the session goes on after the lift, answers, and is wiped when done', async () => {
    const sessionId = await identified('mi-account-balance')
    const session = rig.agent.citizen?.sessions.current
    await lift()
    expect(rig.agent.citizen?.sessions.current).toBe(session)
    expect(session?.citizen?.idNumber).toBe(card.text.idNumber)
    const answer = await ui.command('Session.Query')
    expect(answer).toMatchObject({ completionCode: 'success' })
    expect(ui.ended(sessionId)).toBeUndefined()
    await ui.command('Session.End', { reason: 'completed' })
    expect(ui.ended(sessionId)).toBe('completed')
    expect(session?.citizen).toBeUndefined()
    expect(session?.heldItems).toBe(0)
    expect((await ui.command('Common.Status')).cardPresent).toBe(false)
  })

  it('tax-certificate (false, face check): the card photo stays in the session for the check after the lift', async () => {
    const sessionId = await identified('tax-certificate')
    const session = rig.agent.citizen?.sessions.current
    await lift()
    expect(rig.agent.citizen?.sessions.current).toBe(session)
    expect(session?.recall('identity.cardPhoto')).toBeInstanceOf(Uint8Array)
    // No personal data before the face check passes, lifted card or not.
    expect(await ui.command('Session.Query')).toMatchObject({ errorCode: 'faceCheckRequired' })
    await ui.command('Session.End', { reason: 'canceled' })
    expect(ui.ended(sessionId)).toBe('canceled')
    expect(session?.heldItems).toBe(0)
  })

  it('a citizen who lifts the card and walks away is wiped by the idle reset', async () => {
    const sessionId = await identified('mi-account-balance')
    const session = rig.agent.citizen?.sessions.current
    await lift()
    await waitFor('the idle reset', () => ui.ended(sessionId), 30_000)
    expect(ui.ended(sessionId)).toBe('timedOut')
    expect(rig.agent.citizen?.sessions.current).toBeUndefined()
    expect(session?.citizen).toBeUndefined()
    expect(session?.heldItems).toBe(0)
  }, 45_000)
})
