import { createCodecs, sampleHealth } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { LogRing } from '../logging/log-ring.ts'
import { CommandDispatcher } from './command-dispatcher.ts'
import { MaintenanceMode } from './maintenance.ts'
import { createRemoteCommandHandlers } from './remote-commands.ts'

const codecs = createCodecs()
const topic = (command: string) => ({ kind: 'request' as const, kioskId: 'k1', command })
const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value))

function setup(now = 1000, linkAgeMs?: number) {
  const calls: string[] = []
  const dispatcher = new CommandDispatcher({
    codecs,
    logger: pino({ level: 'silent' }),
    now: () => now,
    linkAgeMs: () => linkAgeMs,
    handlers: {
      ping: async () => {
        calls.push('ping')
        return { receivedAt: now, appVersion: '1.0.0' }
      },
      'get-health': async () => sampleHealth(),
      rebirth: async () => {
        throw Object.assign(new Error('broken'), { name: 'AppError', code: 'ERR_KIOSK_TEST' })
      },
      update: async (params) => ({ deploymentId: params.deploymentId, outcome: 'accepted' }),
      'cancel-update': async (params) => ({ deploymentId: params.deploymentId, outcome: 'unknown' }),
      screenshot: async () => ({ taken: false, refused: 'noDisplay' }),
      ...createRemoteCommandHandlers({
        peripherals: () => [],
        maintenance: new MaintenanceMode(),
        logRing: new LogRing(),
        rebootCommand: undefined,
        restartAgent: () => calls.push('restart'),
        reboot: () => calls.push('reboot'),
        recordHealth: () => calls.push('health'),
        currentMode: () => 'inService',
        logger: pino({ level: 'silent' }),
      }),
    },
  })
  return { dispatcher, calls }
}

describe('CommandDispatcher', () => {
  it('executes a valid request once and answers a redelivery from cache', async () => {
    const { dispatcher, calls } = setup()
    const request = bytes({ transaction: 'tx-00000001', issuedAt: 900, expiresAt: 2000, params: {} })
    const first = await dispatcher.dispatch(topic('ping'), request)
    const again = await dispatcher.dispatch(topic('ping'), request)
    expect(calls).toEqual(['ping'])
    expect(JSON.parse(first?.payload ?? '')).toMatchObject({
      transaction: 'tx-00000001',
      status: 'ok',
      data: { appVersion: '1.0.0' },
    })
    expect(again?.payload).toBe(first?.payload)
  })

  it('never executes an expired request', async () => {
    const { dispatcher, calls } = setup(5000)
    const response = await dispatcher.dispatch(
      topic('ping'),
      bytes({ transaction: 'tx-00000002', issuedAt: 900, expiresAt: 2000, params: {} }),
    )
    expect(calls).toEqual([])
    expect(JSON.parse(response?.payload ?? '')).toMatchObject({
      status: 'error',
      error: { code: 'ERR_KIOSK_COMMAND_EXPIRED' },
    })
  })

  it('says the clock is wrong, not that the request expired, when the kiosk runs days ahead', async () => {
    const fleetNow = Date.parse('2026-12-04T08:00:00Z')
    const request = (n: number) =>
      bytes({ transaction: `tx-skew-000${n}`, issuedAt: fleetNow, expiresAt: fleetNow + 60_000, params: {} })
    // Connected for an hour, yet the request looks three days old: the kiosk's clock is ahead.
    const ahead = setup(fleetNow + 3 * 86_400_000, 3_600_000)
    const answer = JSON.parse((await ahead.dispatcher.dispatch(topic('ping'), request(1)))?.payload ?? '')
    expect(answer).toMatchObject({ status: 'error', error: { code: 'ERR_KIOSK_CLOCK_SKEW' } })
    expect(answer.error.message).toMatch(/at least 2 d 23 h ahead/)
    expect(ahead.calls).toEqual([])
    // Just connected: the request may have waited in the broker while the kiosk was away.
    const returning = setup(fleetNow + 3 * 86_400_000, 5_000)
    const stale = JSON.parse((await returning.dispatcher.dispatch(topic('ping'), request(2)))?.payload ?? '')
    expect(stale).toMatchObject({ status: 'error', error: { code: 'ERR_KIOSK_COMMAND_EXPIRED' } })
    // A clock behind the fleet makes nothing look expired: the request runs.
    const behind = setup(fleetNow - 86_400_000, 3_600_000)
    const ran = JSON.parse((await behind.dispatcher.dispatch(topic('ping'), request(3)))?.payload ?? '')
    expect(ran).toMatchObject({ status: 'ok' })
  })

  it('answers bad and unknown requests with stable codes and counts them', async () => {
    const { dispatcher } = setup()
    const bad = await dispatcher.dispatch(topic('ping'), bytes({ transaction: 'tx-00000003', params: {} }))
    expect(JSON.parse(bad?.payload ?? '')).toMatchObject({ status: 'error', error: { code: 'ERR_KIOSK_BAD_REQUEST' } })
    const unknown = await dispatcher.dispatch(topic('format-disk'), bytes({ transaction: 'tx-00000004' }))
    expect(JSON.parse(unknown?.payload ?? '')).toMatchObject({ error: { code: 'ERR_KIOSK_UNKNOWN_COMMAND' } })
    expect(await dispatcher.dispatch(topic('ping'), bytes('\u0000garbage'))).toBeUndefined()
    expect(dispatcher.invalidCount).toBe(3)
  })

  it('passes validated params to the handler and rejects bad ones', async () => {
    const { dispatcher, calls } = setup()
    const ok = await dispatcher.dispatch(
      topic('enter-maintenance'),
      bytes({ transaction: 'tx-00000006', issuedAt: 900, expiresAt: 2000, params: { reason: 'replace paper roll' } }),
    )
    expect(JSON.parse(ok?.payload ?? '')).toMatchObject({ status: 'ok', data: { mode: 'maintenance' } })
    expect(calls).toEqual(['health'])
    const bad = await dispatcher.dispatch(
      topic('enter-maintenance'),
      bytes({ transaction: 'tx-00000007', issuedAt: 900, expiresAt: 2000, params: { reason: '' } }),
    )
    expect(JSON.parse(bad?.payload ?? '')).toMatchObject({ status: 'error', error: { code: 'ERR_KIOSK_BAD_REQUEST' } })
  })

  it('maps a failing handler to an error response with its code', async () => {
    const { dispatcher } = setup()
    const response = await dispatcher.dispatch(
      topic('rebirth'),
      bytes({ transaction: 'tx-00000005', issuedAt: 900, expiresAt: 2000, params: {} }),
    )
    expect(JSON.parse(response?.payload ?? '')).toMatchObject({
      status: 'error',
      error: { code: 'ERR_KIOSK_TEST', message: 'broken' },
    })
  })
})
