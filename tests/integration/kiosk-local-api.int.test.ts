import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type KioskRig, startKioskRig } from '../support/kiosk-rig.ts'
import { startStack, type TestStack } from '../support/stack.ts'

const API = '/xfs4iot/v1.0'

function connect(url: string, protocols: string[], origin?: string): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols, origin ? { headers: { origin } } : {})
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.once('error', () => resolve(-1))
  })
}

function command(ws: WebSocket, name: string, requestId: number, payload = {}): Promise<Record<string, unknown>[]> {
  return new Promise((resolve) => {
    const got: Record<string, unknown>[] = []
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { header: { requestId?: number; type: string } }
      if (msg.header.requestId !== requestId) return
      got.push(msg)
      if (
        msg.header.type === 'completion' ||
        (msg.header.type === 'acknowledge' && got.length === 1 && (msg.header as { status?: unknown }).status)
      )
        resolve(got)
    })
    ws.send(JSON.stringify({ header: { type: 'command', name, requestId, version: '1.0' }, payload }))
  })
}

describe('the local device API', () => {
  let stack: TestStack
  let rig: KioskRig
  let url: string
  let token: string

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    rig = await startKioskRig({ kioskId: 'int-api-01', machineType: 'id', mqttUrl: stack.mqttUrl })
    const citizen = rig.agent.citizen
    if (!citizen) throw new Error('no citizen services')
    url = citizen.url.replace('http', 'ws') + API
    token = citizen.token
  })
  afterAll(async () => {
    await rig?.stop()
    await stack?.stop()
  })

  it('listens on loopback only', () => {
    expect(new URL(url).hostname).toBe('127.0.0.1')
  })

  it('refuses a connection without the per-boot token, with a wrong one, or from a foreign page', async () => {
    expect(await connect(url, ['xfs4iot.v1'])).toBe(401)
    expect(await connect(url, ['xfs4iot.v1', `token.${'0'.repeat(64)}`])).toBe(401)
    expect(await connect(url, ['xfs4iot.v1', `token.${token}`], 'http://evil.example')).toBe(403)
    expect(rig.agent.citizen?.localApi.refusedCount).toBeGreaterThanOrEqual(3)
  })

  it('answers command → acknowledge → completion, and refuses a reused requestId', async () => {
    const ws = await connect(url, ['xfs4iot.v1', `token.${token}`], rig.agent.citizen?.url)
    if (typeof ws === 'number') throw new Error(`refused: ${ws}`)
    expect(ws.protocol).toBe('xfs4iot.v1')
    const status = await command(ws, 'Common.Status', 1)
    expect(status.map((m) => (m.header as { type: string }).type)).toEqual(['acknowledge', 'completion'])
    expect(status[1]?.payload).toMatchObject({ completionCode: 'success', machineType: 'id', mode: 'inService' })
    const again = await command(ws, 'Common.Status', 1)
    expect(again[0]?.header).toMatchObject({ type: 'acknowledge', status: 'invalidRequestID' })
    const unknown = await command(ws, 'Printer.Explode', 2)
    expect(unknown.at(-1)?.payload).toMatchObject({ completionCode: 'unsupportedCommand' })
    const early = await command(ws, 'Session.Query', 3)
    expect(early.at(-1)?.payload).toMatchObject({ completionCode: 'sequenceError', errorCode: 'noSession' })
    ws.close()
  })
})
