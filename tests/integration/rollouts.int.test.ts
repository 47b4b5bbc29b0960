import { allDefinitions, createRegistry } from '@drivers/registry'
import type { sampleBirth } from '@kiosk-fleet/protocol'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  type RolloutStack,
  type SimBehaviour,
  SimKiosk,
  seedArtifact,
  startRolloutStack,
} from '../support/rollout-sim.ts'
import { waitFor } from '../support/wait-for.ts'

// Each test starts its own PGlite, broker and kiosks: slow on a busy machine, never timing-sensitive.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 })

const registry = createRegistry(allDefinitions)
const deviceModels = (id: string) => registry.byId(id)

interface Detail {
  id: string
  status: string
  statusReason: string | null
  currentGroup: number
  groupCounts: { group: number; size: number; states: Record<string, number> }[]
  totals: Record<string, number>
  excluded: { incompatible: number; notApproved: number }
}
interface KioskRow {
  kioskId: string
  group: number
  state: string
  notifiedAt: string | null
  finishedAt: string | null
  errorCode: string | null
  attempts: number
}

let stack: RolloutStack | undefined
const kiosks: SimKiosk[] = []
let clockOffset = 0

afterEach(async () => {
  for (const k of kiosks.splice(0)) await k.disconnect().catch(() => undefined)
  await stack?.stop()
  stack = undefined
  clockOffset = 0
})

async function start(): Promise<RolloutStack> {
  stack = await startRolloutStack({ deviceModels, tickMs: 100, now: () => Date.now() + clockOffset })
  return stack
}

async function kiosk(
  s: RolloutStack,
  kioskId: string,
  behaviour: SimBehaviour = 'succeed',
  birth: Parameters<typeof sampleBirth>[0] = {},
  connect = true,
): Promise<SimKiosk> {
  const credentials = await s.kioskCredentials(kioskId)
  const k = new SimKiosk(s.mqttUrl, kioskId, { appVersion: '1.0.0', ...birth }, behaviour, credentials)
  kiosks.push(k)
  if (connect) {
    await k.connect()
    // Online is published before the birth and the devices: wait for all three to be stored, or a
    // preview may see the kiosk without its devices (CI saw that once).
    const devices = k.state.birth.peripherals.length
    await waitFor(`${kioskId} online with its birth and ${devices} devices`, async () => {
      const [row] = await s.db.query<{ state: string; app_version: string | null; devices: number }>(
        `SELECT state, app_version, (SELECT count(*)::int FROM peripherals WHERE kiosk_id = id) AS devices
         FROM kiosks WHERE id = $1`,
        [kioskId],
      )
      return row?.state === 'online' && row.app_version !== null && row.devices === devices
    })
  }
  return k
}

/** The app release most tests roll out: kiosk app 1.1.0, approved by public security. */
const seedAppRelease = (s: RolloutStack) =>
  seedArtifact(s.db, { id: 'art_app_110', kind: 'app', version: '1.1.0', approvedDepartments: ['public-security'] })

const rolloutBody = (over: Record<string, unknown> = {}) => ({
  name: 'kiosk app 1.1.0',
  artifactId: 'art_app_110',
  groups: [{ count: 2 }, { percent: 50 }, { percent: 100 }],
  successThreshold: 1,
  errorThreshold: 0.5,
  errorMinSample: 3,
  installMode: 'window',
  kioskTimeoutMs: 600_000,
  ...over,
})

async function createApproved(s: RolloutStack, body = rolloutBody(), creator = 'ada', approver = 'ben') {
  const created = await s.api<Detail>(creator, 'POST', '/api/rollouts', body)
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  const approved = await s.api<Detail>(approver, 'POST', `/api/rollouts/${created.body.id}/approve`, {})
  expect(approved.status, JSON.stringify(approved.body)).toBe(200)
  return created.body.id
}

const detail = async (s: RolloutStack, id: string) => (await s.api<Detail>('ada', 'GET', `/api/rollouts/${id}`)).body
const rows = async (s: RolloutStack, id: string, query = '') =>
  (await s.api<{ kiosks: KioskRow[] }>('ada', 'GET', `/api/rollouts/${id}/kiosks?limit=100${query}`)).body.kiosks

async function untilStatus(s: RolloutStack, id: string, status: string): Promise<Detail> {
  return waitFor(`rollout ${status}`, async () => {
    const d = await detail(s, id)
    return d.status === status ? d : undefined
  })
}

async function untilKiosk(s: RolloutStack, id: string, kioskId: string, state: string): Promise<KioskRow> {
  let seen: KioskRow | undefined
  try {
    return await waitFor(`${kioskId} ${state}`, async () => {
      await s.settle()
      seen = (await rows(s, id)).find((r) => r.kioskId === kioskId)
      return seen?.state === state ? seen : undefined
    })
  } catch (err) {
    // Say where the kiosk was instead: a flaky wait is diagnosed from CI's output alone.
    throw new Error(`${(err as Error).message}; last seen ${JSON.stringify(seen ?? 'not in the rollout')}`)
  }
}

describe('rollouts on a real broker, ingest and PGlite with simulated kiosks', () => {
  it('rolls an app release through three groups, each only after the one before succeeded', async () => {
    const s = await start()
    await seedAppRelease(s)
    // A site's own windows and the fleet calendar travel with the notification.
    const put = await s.api('ada', 'PUT', '/api/sites/hx-tc01/schedule', {
      openingHours: { '1': [{ start: '08:30', end: '17:30' }] },
      windows: [{ start: '23:00', end: '05:00' }],
      closedDays: ['2099-01-02'],
    })
    expect(put.status).toBe(404) // no kiosk has reported the site yet
    await Promise.all(Array.from({ length: 10 }, (_, i) => kiosk(s, `happy-${i}`)))
    expect(
      (
        await s.api('ada', 'PUT', '/api/sites/hx-tc01/schedule', {
          openingHours: { '1': [{ start: '08:30', end: '17:30' }] },
          windows: [{ start: '23:00', end: '05:00' }],
          closedDays: ['2099-01-02'],
        })
      ).status,
    ).toBe(200)
    const preview = await s.api<{ selected: number; groups: number[] }>('ada', 'POST', '/api/rollouts/preview', {
      artifactId: 'art_app_110',
      groups: [{ count: 2 }, { percent: 50 }, { percent: 100 }],
    })
    expect(preview.body).toMatchObject({ selected: 10, groups: [2, 3, 5] })

    const id = await createApproved(s)
    expect((await detail(s, id)).status).toBe('approved')
    expect((await s.api('ada', 'POST', `/api/rollouts/${id}/start`, {})).status).toBe(200)
    const done = await untilStatus(s, id, 'completed')
    expect(done.totals).toMatchObject({ total: 10, succeeded: 10 })
    expect(done.groupCounts.map((g) => g.size)).toEqual([2, 3, 5])

    const all = await rows(s, id)
    for (const g of [1, 2]) {
      const before = all.filter((r) => r.group === g - 1).map((r) => Date.parse(r.finishedAt ?? ''))
      const after = all.filter((r) => r.group === g).map((r) => Date.parse(r.notifiedAt ?? ''))
      expect(Math.min(...after)).toBeGreaterThanOrEqual(Math.max(...before))
    }
    const update = kiosks[0]?.state.requests.find((r) => r.command === 'update')?.params as {
      deploymentId: string
      kind: string
      install: { mode: string; schedule: { windows: unknown[]; holidays: string[] } }
    }
    expect(update).toMatchObject({ deploymentId: id, kind: 'app', install: { mode: 'window' } })
    expect(update.install.schedule.windows).toEqual([{ start: '23:00', end: '05:00' }])
    expect(update.install.schedule.holidays).not.toContain('2099-01-02') // beyond the 400 days
    const actions = (await s.audit.list({ limit: 50 })).map((a) => `${a.action}:${a.outcome}`)
    expect(actions).toEqual(
      expect.arrayContaining([
        'rollout.create:ok',
        'rollout.approve:ok',
        'rollout.start:ok',
        'site.schedule.update:ok',
      ]),
    )
  })

  it('halts when a group fails and cancels the kiosks that have not begun installing', async () => {
    const s = await start()
    await seedAppRelease(s)
    const behaviours: SimBehaviour[] = ['fail', 'fail', 'rollback', 'waitForWindow', 'waitForWindow', 'succeed']
    for (const [i, b] of behaviours.entries()) await kiosk(s, `halt-${i}`, b)
    const id = await createApproved(s, rolloutBody({ groups: [{ count: 5 }, { percent: 100 }], successThreshold: 0.8 }))
    // Group 0 is the first five in the rollout's order: make sure the test kiosks are the ones that fail.
    const group0 = (await rows(s, id, '&group=0')).map((r) => r.kioskId)
    for (const k of kiosks) k.state.behaviour = group0.includes(k.kioskId) ? k.state.behaviour : 'succeed'
    const failing = kiosks.filter((k) => group0.includes(k.kioskId))
    failing.forEach((k, i) => {
      k.state.behaviour = (['fail', 'fail', 'rollback', 'waitForWindow', 'waitForWindow'] as const)[i] ?? 'succeed'
    })
    await s.api('ada', 'POST', `/api/rollouts/${id}/start`, {})
    const halted = await untilStatus(s, id, 'halted')
    expect(halted.statusReason).toMatch(/3 of 3 finished/)
    const waiting = failing.filter((k) => k.state.behaviour === 'waitForWindow')
    await waitFor('cancel-update at the waiting kiosks', () =>
      waiting.every((k) => k.state.requests.some((r) => r.command === 'cancel-update')),
    )
    const byKiosk = new Map((await rows(s, id)).map((r) => [r.kioskId, r]))
    for (const k of waiting) expect(byKiosk.get(k.kioskId)?.state).toBe('cancelled')
    const group1 = [...byKiosk.values()].filter((r) => r.group === 1)
    expect(group1.every((r) => r.state === 'cancelled' && r.notifiedAt === null)).toBe(true)
    expect(byKiosk.get(failing[2]?.kioskId ?? '')?.state).toBe('rolledBack')
    expect((await s.audit.list({ limit: 20 })).some((a) => a.action === 'rollout.halt')).toBe(true)
  })

  it('halts every rollout of an artifact that is revoked, cancelling what has not begun installing', async () => {
    const s = await start()
    await seedAppRelease(s)
    for (let i = 0; i < 3; i++) await kiosk(s, `revoke-${i}`, 'waitForWindow')
    const id = await createApproved(s, rolloutBody({ groups: [{ percent: 100 }] }))
    await s.api('ada', 'POST', `/api/rollouts/${id}/start`, {})
    for (let i = 0; i < 3; i++) await untilKiosk(s, id, `revoke-${i}`, 'downloaded')
    // Revoked after the kiosks downloaded it and while they wait for their window.
    await s.db.query(`UPDATE artifacts SET status = 'revoked' WHERE id = 'art_app_110'`)
    const halted = await untilStatus(s, id, 'halted')
    expect(halted.statusReason).toMatch(/revoked/)
    await waitFor('cancel-update at every waiting kiosk', () =>
      kiosks.every((k) => k.state.requests.some((r) => r.command === 'cancel-update')),
    )
    expect((await rows(s, id)).map((r) => r.state)).toEqual(['cancelled', 'cancelled', 'cancelled'])
  })

  it('pauses, resumes and aborts, each audited and refused from a wrong status', async () => {
    const s = await start()
    await seedAppRelease(s)
    await Promise.all(Array.from({ length: 4 }, (_, i) => kiosk(s, `pause-${i}`, 'waitForWindow')))
    const id = await createApproved(s, rolloutBody({ groups: [{ count: 2 }, { percent: 100 }] }))
    expect((await s.api<{ code: string }>('ada', 'POST', `/api/rollouts/${id}/resume`, {})).body.code).toBe(
      'ERR_FLEET_ROLLOUT_BAD_TRANSITION',
    )
    await s.api('ada', 'POST', `/api/rollouts/${id}/start`, {})
    const group0 = (await rows(s, id, '&group=0')).map((r) => r.kioskId)
    for (const k of group0) await untilKiosk(s, id, k, 'downloaded')
    expect(
      (await s.api<Detail>('ada', 'POST', `/api/rollouts/${id}/pause`, { reason: 'citizen complaints' })).body.status,
    ).toBe('paused')
    for (const k of kiosks.filter((x) => group0.includes(x.kioskId))) await k.windowOpens()
    for (const k of group0) await untilKiosk(s, id, k, 'succeeded')
    await s.rollouts.service.tick()
    // Paused: group 0 passed, but group 1 is not notified.
    expect((await rows(s, id, '&group=1')).every((r) => r.state === 'pending')).toBe(true)
    await s.api('ada', 'POST', `/api/rollouts/${id}/resume`, {})
    const group1 = (await rows(s, id, '&group=1')).map((r) => r.kioskId)
    for (const k of group1) await untilKiosk(s, id, k, 'downloaded')
    const aborted = await s.api<Detail>('ada', 'POST', `/api/rollouts/${id}/abort`, {})
    expect(aborted.body.status, JSON.stringify(aborted)).toBe('aborted')
    expect((await rows(s, id, '&group=1')).every((r) => r.state === 'cancelled')).toBe(true)
    const cancelledKiosks = kiosks.filter((k) => group1.includes(k.kioskId))
    await waitFor('cancel-update', () =>
      cancelledKiosks.every((k) => k.state.requests.some((r) => r.command === 'cancel-update')),
    )
    expect((await s.api('ada', 'POST', `/api/rollouts/${id}/start`, {})).status).toBe(409)
    const actions = (await s.audit.list({ limit: 50 })).map((a) => a.action)
    expect(actions).toEqual(expect.arrayContaining(['rollout.pause', 'rollout.resume', 'rollout.abort']))
  })

  it('times out a silent kiosk, but not one waiting for its install window', async () => {
    const s = await start()
    await seedAppRelease(s)
    const silent = await kiosk(s, 'quiet-1', 'silent')
    const waiting = await kiosk(s, 'patient-1', 'waitForWindow')
    const leaving = await kiosk(s, 'leaving-1', 'silent')
    const id = await createApproved(
      s,
      rolloutBody({ groups: [{ percent: 100 }], kioskTimeoutMs: 60_000, errorMinSample: 5 }),
    )
    await s.api('ada', 'POST', `/api/rollouts/${id}/start`, {})
    await untilKiosk(s, id, silent.kioskId, 'notified')
    await untilKiosk(s, id, leaving.kioskId, 'notified')
    await untilKiosk(s, id, waiting.kioskId, 'downloaded')
    await leaving.disconnect()
    await waitFor('leaving offline', async () => {
      const [row] = await s.db.query<{ state: string }>('SELECT state FROM kiosks WHERE id = $1', [leaving.kioskId])
      return row?.state === 'offline'
    })
    clockOffset = 61_000
    const timedOut = await untilKiosk(s, id, silent.kioskId, 'timedOut')
    expect(timedOut.errorCode).toBe('ERR_FLEET_ROLLOUT_KIOSK_TIMEOUT')
    expect((await rows(s, id)).find((r) => r.kioskId === waiting.kioskId)?.state).toBe('downloaded')
    // Offline before it downloaded: not a failure, pending again until its next birth re-notifies it.
    await untilKiosk(s, id, leaving.kioskId, 'pending')
    await leaving.connect()
    const again = await untilKiosk(s, id, leaving.kioskId, 'notified')
    expect(again.attempts).toBe(2)
    // The window opens later: the install stretch is timed from then, and it succeeds.
    await waiting.windowOpens()
    await untilKiosk(s, id, waiting.kioskId, 'succeeded')
  })

  it('keeps the rollout running while a kiosk of the last group is offline, and finishes it when it returns', async () => {
    const s = await start()
    await seedAppRelease(s)
    for (let i = 0; i < 5; i++) await kiosk(s, `ret-${i}`)
    const away = kiosks[4] as SimKiosk
    await away.disconnect()
    await waitFor('away offline', async () => {
      const [row] = await s.db.query<{ state: string }>('SELECT state FROM kiosks WHERE id = $1', [away.kioskId])
      return row?.state === 'offline'
    })
    const id = await createApproved(s, rolloutBody({ groups: [{ count: 2 }, { percent: 100 }] }))
    await s.api('ada', 'POST', `/api/rollouts/${id}/start`, {})
    for (const k of kiosks.slice(0, 4)) await untilKiosk(s, id, k.kioskId, 'succeeded')
    await s.rollouts.service.tick()
    // 4/5: not every kiosk has an outcome, so not completed (it used to say COMPLETED here).
    const meanwhile = await detail(s, id)
    expect(meanwhile.status).toBe('running')
    expect(meanwhile.totals).toMatchObject({ succeeded: 4, pending: 1 })
    await away.connect()
    await untilKiosk(s, id, away.kioskId, 'succeeded')
    const done = await untilStatus(s, id, 'completed')
    expect(done.totals).toMatchObject({ succeeded: 5, total: 5 })
    expect(done.statusReason).toBeNull()
  })

  it('times out a kiosk whose download crawls, keeps it timed out, and retries it when it returns', async () => {
    const s = await start()
    await seedAppRelease(s)
    const slow = await kiosk(s, 'crawl-1', 'silent')
    await waitFor('birth stored', async () => {
      const [row] = await s.db.query<{ app_version: string | null }>('SELECT app_version FROM kiosks WHERE id = $1', [
        slow.kioskId,
      ])
      return row?.app_version === '1.0.0'
    })
    const id = await createApproved(
      s,
      rolloutBody({ groups: [{ percent: 100 }], kioskTimeoutMs: 60_000, errorMinSample: 5 }),
    )
    await s.api('ada', 'POST', `/api/rollouts/${id}/start`, {})
    await untilKiosk(s, id, slow.kioskId, 'notified')
    await slow.report(id, 'downloading', { progress: 0.001 })
    await untilKiosk(s, id, slow.kioskId, 'downloading')
    clockOffset = 61_000
    const timedOut = await untilKiosk(s, id, slow.kioskId, 'timedOut')
    expect(timedOut.errorCode).toBe('ERR_FLEET_ROLLOUT_KIOSK_TIMEOUT')
    // One byte every 2 s still reports progress: that no longer revives it.
    await slow.report(id, 'downloading', { progress: 0.002 })
    await s.settle()
    await s.rollouts.service.tick()
    expect((await rows(s, id)).find((r) => r.kioskId === slow.kioskId)?.state).toBe('timedOut')
    // Timed out is retried before the deadline: not completed yet.
    expect((await detail(s, id)).status).toBe('running')
    // It comes back on a better link and finishes.
    await slow.disconnect()
    slow.state.behaviour = 'succeed'
    slow.state.deployments.clear()
    await slow.connect()
    const again = await untilKiosk(s, id, slow.kioskId, 'succeeded')
    expect(again.attempts).toBe(2)
    await untilStatus(s, id, 'completed')
  })

  it('gives kiosks still away at the deadline their outcome and completes', async () => {
    const s = await start()
    await seedAppRelease(s)
    for (let i = 0; i < 2; i++) await kiosk(s, `dl-${i}`)
    const away = kiosks[1] as SimKiosk
    await away.disconnect()
    await waitFor('away offline', async () => {
      const [row] = await s.db.query<{ state: string }>('SELECT state FROM kiosks WHERE id = $1', [away.kioskId])
      return row?.state === 'offline'
    })
    const id = await createApproved(s, rolloutBody({ groups: [{ percent: 100 }] }))
    await s.db.query('UPDATE rollouts SET retry_for_ms = 3600000 WHERE id = $1', [id])
    await s.api('ada', 'POST', `/api/rollouts/${id}/start`, {})
    await untilKiosk(s, id, 'dl-0', 'succeeded')
    clockOffset = 3_601_000
    const done = await untilStatus(s, id, 'completed')
    expect(done.totals).toMatchObject({ succeeded: 1, timedOut: 1 })
    const row = (await rows(s, id)).find((r) => r.kioskId === away.kioskId)
    expect(row).toMatchObject({ state: 'timedOut', errorCode: 'ERR_FLEET_ROLLOUT_DEADLINE_PASSED' })
  })

  it('applies duplicate and out-of-order deployment reports once', async () => {
    const s = await start()
    await seedAppRelease(s)
    const k = await kiosk(s, 'dup-1', 'silent')
    const id = await createApproved(s, rolloutBody({ groups: [{ percent: 100 }] }))
    await s.api('ada', 'POST', `/api/rollouts/${id}/start`, {})
    await untilKiosk(s, id, k.kioskId, 'notified')
    const downloading = await k.report(id, 'downloading', { progress: 0.4 })
    await k.resend(downloading)
    await untilKiosk(s, id, k.kioskId, 'downloading')
    const installing = await k.report(id, 'installing')
    await untilKiosk(s, id, k.kioskId, 'installing')
    // Redelivered late: the older report changes nothing.
    await k.resend(downloading)
    await k.resend(installing)
    await s.settle()
    await s.rollouts.service.tick()
    expect((await rows(s, id))[0]?.state).toBe('installing')
    const events = await s.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM kiosk_events WHERE kiosk_id = $1 AND type = 'deployment'`,
      [k.kioskId],
    )
    expect(events[0]?.n).toBe(2)
    k.state.birth = { ...k.state.birth, appVersion: '1.1.0' }
    const success = await k.report(id, 'success', { version: '1.1.0' })
    await k.resend(success)
    await k.connect() // reconnect: a birth with the new version
    await untilKiosk(s, id, k.kioskId, 'succeeded')
    await k.resend(success)
    await k.resend(installing)
    await s.settle()
    expect((await rows(s, id))[0]?.state).toBe('succeeded')
    await untilStatus(s, id, 'completed')
  })

  it('applies the reports ingest stored while the engine was stopped, once it starts again', async () => {
    const s = await start()
    await seedAppRelease(s)
    const k = await kiosk(s, 'replay-1', 'silent')
    const id = await createApproved(s, rolloutBody({ groups: [{ percent: 100 }] }))
    await s.api('ada', 'POST', `/api/rollouts/${id}/start`, {})
    await untilKiosk(s, id, k.kioskId, 'notified')
    // The engine stops (a crash after ingest's commit has the same effect); ingest goes on storing.
    await s.rollouts.service.stop()
    await k.report(id, 'downloading', { progress: 0.5 })
    await k.report(id, 'installing')
    await waitFor('both reports stored', async () => {
      const [row] = await s.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM kiosk_events WHERE kiosk_id = $1 AND type = 'deployment'`,
        [k.kioskId],
      )
      return row?.n === 2
    })
    await s.settle()
    expect((await rows(s, id))[0]?.state).toBe('notified')
    s.rollouts.service.start()
    const row = await untilKiosk(s, id, k.kioskId, 'installing')
    expect(row.errorCode).toBeNull()
  })

  it('counts success only when a birth shows the new version', async () => {
    const s = await start()
    await seedAppRelease(s)
    const stale = await kiosk(s, 'stale-1', 'succeedOld')
    const id = await createApproved(s, rolloutBody({ groups: [{ percent: 100 }] }))
    await s.api('ada', 'POST', `/api/rollouts/${id}/start`, {})
    await untilKiosk(s, id, stale.kioskId, 'verifying')
    await stale.idle()
    await s.settle()
    await s.rollouts.service.tick()
    expect((await rows(s, id))[0]?.state).toBe('verifying')
    expect((await detail(s, id)).status).toBe('running')
    // It comes up on the new release after all.
    await stale.disconnect()
    stale.state.birth = { ...stale.state.birth, appVersion: '1.1.0' }
    await stale.connect()
    await untilKiosk(s, id, stale.kioskId, 'succeeded')
    await untilStatus(s, id, 'completed')
  })

  it('firmware: the peripheral must report the new firmware and be online', async () => {
    const s = await start()
    await seedArtifact(s.db, {
      id: 'art_fw_tm',
      kind: 'firmware',
      version: '2.1',
      vendor: 'epson',
      deviceModel: 'epson-tm-t20ii',
      approvedDepartments: ['public-security'],
    })
    const printer = {
      deviceId: 'receipt',
      deviceClass: 'receiptPrinter' as const,
      vendor: 'Epson',
      model: 'TM-T20II',
      serial: 'S1',
      firmware: '2.0',
    }
    const withPrinter = await kiosk(s, 'fw-1', 'succeed', { peripherals: [printer] })
    await kiosk(s, 'fw-2', 'succeed', { peripherals: [] })
    const scanner = {
      ...printer,
      deviceId: 'qr',
      deviceClass: 'barcodeScanner' as const,
      vendor: 'Honeywell',
      model: 'Xenon 1900',
    }
    await kiosk(s, 'fw-3', 'succeed', { peripherals: [scanner] })
    await kiosk(s, 'fw-4', 'succeed', { peripherals: [printer], department: 'tax' })
    const preview = await s.api<{ selected: number; excluded: Record<string, number>; leftOut: unknown[] }>(
      'ada',
      'POST',
      '/api/rollouts/preview',
      { artifactId: 'art_fw_tm' },
    )
    // Every kiosk left out is named with why, not only counted.
    expect(preview.body).toMatchObject({ selected: 1, excluded: { incompatible: 2, notApproved: 1 } })
    expect(
      [...preview.body.leftOut].sort((a, b) =>
        String((a as { kioskId: string }).kioskId).localeCompare((b as { kioskId: string }).kioskId),
      ),
    ).toEqual([
      {
        kioskId: 'fw-2',
        reason: 'modelMismatch',
        has: [],
        needs: ['epson-tm-t20ii'],
        detail: 'no epson-tm-t20ii (it has no devices)',
      },
      {
        kioskId: 'fw-3',
        reason: 'modelMismatch',
        has: ['Honeywell Xenon 1900'],
        needs: ['epson-tm-t20ii'],
        detail: 'no epson-tm-t20ii (it has Honeywell Xenon 1900)',
      },
      {
        kioskId: 'fw-4',
        reason: 'notApproved',
        has: ['tax'],
        needs: ['public-security'],
        detail: 'department tax has not approved the artifact (approved for public-security)',
      },
    ])
    const id = await createApproved(s, rolloutBody({ artifactId: 'art_fw_tm', groups: [{ percent: 100 }] }))
    await s.api('ada', 'POST', `/api/rollouts/${id}/start`, {})
    await untilStatus(s, id, 'completed')
    const update = withPrinter.state.requests[0]?.params as { device: unknown; kind: string }
    expect(update).toMatchObject({ kind: 'firmware', device: { vendor: 'epson', model: 'epson-tm-t20ii' } })
    expect((await detail(s, id)).excluded).toEqual({ incompatible: 2, notApproved: 1 })
  })

  it('notifies a kiosk that was offline at its next birth, and continuous mode takes a new kiosk', async () => {
    const s = await start()
    await seedAppRelease(s)
    for (let i = 0; i < 3; i++) await kiosk(s, `cont-${i}`)
    const away = kiosks[2] as SimKiosk
    await away.disconnect()
    await waitFor('away offline', async () => {
      const [row] = await s.db.query<{ state: string }>('SELECT state FROM kiosks WHERE id = $1', [away.kioskId])
      return row?.state === 'offline'
    })
    const id = await createApproved(s, rolloutBody({ groups: [{ percent: 100 }], continuous: true }))
    await s.api('ada', 'POST', `/api/rollouts/${id}/start`, {})
    for (const k of kiosks.slice(0, 2)) await untilKiosk(s, id, k.kioskId, 'succeeded')
    expect((await rows(s, id)).find((r) => r.kioskId === away.kioskId)?.state).toBe('pending')
    await away.connect()
    await untilKiosk(s, id, away.kioskId, 'succeeded')
    const late = await kiosk(s, 'cont-late')
    const joined = await untilKiosk(s, id, late.kioskId, 'succeeded')
    expect(joined.group).toBe(0)
    // Not approved by its department: a late kiosk of another department does not join.
    const other = await kiosk(s, 'cont-tax', 'succeed', { department: 'tax' })
    await other.idle()
    await s.settle()
    expect((await rows(s, id)).some((r) => r.kioskId === other.kioskId)).toBe(false)
    expect((await detail(s, id)).status).toBe('running')
  })

  it('refuses approval by the creator and keeps department users to their departments', async () => {
    const s = await start()
    await seedArtifact(s.db, {
      id: 'art_app_110',
      kind: 'app',
      version: '1.1.0',
      approvedDepartments: ['public-security', 'tax'],
    })
    await kiosk(s, 'ps-1')
    await kiosk(s, 'tax-1', 'succeed', { department: 'tax', machineType: 'tax' })
    await seedArtifact(s.db, { id: 'art_draft', kind: 'app', version: '1.2.0', status: 'uploading' })

    expect(
      (await s.api<{ code: string }>('ada', 'POST', '/api/rollouts', rolloutBody({ artifactId: 'art_draft' }))).body
        .code,
    ).toBe('ERR_FLEET_ROLLOUT_ARTIFACT_NOT_READY')
    expect(
      (await s.api<{ code: string }>('ada', 'POST', '/api/rollouts', rolloutBody({ artifactId: 'nope' }))).status,
    ).toBe(404)
    expect((await s.api('ada', 'POST', '/api/rollouts', { ...rolloutBody(), successThreshold: 2 })).status).toBe(400)
    expect((await s.api('sam', 'POST', '/api/rollouts', rolloutBody())).status).toBe(403)
    expect(
      (
        await s.api<{ code: string }>(
          'ada',
          'POST',
          '/api/rollouts',
          rolloutBody({ filter: { deviceModels: ['no-such-model'] } }),
        )
      ).body.code,
    ).toBe('ERR_FLEET_ROLLOUT_INVALID')

    // A department user's rollout covers only its own departments.
    const own = await s.api<Detail>('dora', 'POST', '/api/rollouts', rolloutBody())
    expect(own.status).toBe(201)
    expect(own.body.totals.total).toBe(1)
    const self = await s.api<{ code: string }>('dora', 'POST', `/api/rollouts/${own.body.id}/approve`, {})
    expect(self).toMatchObject({ status: 403, body: { code: 'ERR_FLEET_ROLLOUT_SELF_APPROVAL' } })
    expect((await s.api('tim', 'POST', `/api/rollouts/${own.body.id}/approve`, {})).status).toBe(403)
    expect((await s.api('tim', 'GET', `/api/rollouts/${own.body.id}`)).status).toBe(404)
    expect((await s.api<{ rollouts: unknown[] }>('tim', 'GET', '/api/rollouts')).body.rollouts).toHaveLength(0)
    expect((await s.api('aud', 'POST', `/api/rollouts/${own.body.id}/approve`, {})).status).toBe(403)
    expect((await s.api('dan', 'POST', `/api/rollouts/${own.body.id}/approve`, {})).status).toBe(200)
    expect(
      (
        await s.api<{ code: string }>(
          'dora',
          'POST',
          '/api/rollouts',
          rolloutBody({ filter: { departments: ['tax'] } }),
        )
      ).body.code,
    ).toBe('ERR_FLEET_ROLLOUT_OUT_OF_SCOPE')

    // A fleet-wide rollout (admin) may not be started by a department user: it reaches other departments.
    const wide = await createApproved(s, rolloutBody())
    expect((await s.api<{ code: string }>('dora', 'POST', `/api/rollouts/${wide}/start`, {})).body.code).toBe(
      'ERR_FLEET_ROLLOUT_OUT_OF_SCOPE',
    )
    const denied = (await s.audit.list({ limit: 50 })).filter((a) => a.outcome === 'denied').map((a) => a.action)
    expect(denied).toContain('rollout.approve')
  })

  it('keeps the calendar and site schedules, validated and scoped', async () => {
    const s = await start()
    await kiosk(s, 'sched-1')
    const put = await s.api<{ days: { day: string }[] }>('ada', 'PUT', '/api/calendar', {
      from: '2027-01-01',
      to: '2028-01-01',
      days: [
        { day: '2027-01-01', kind: 'holiday', name: '元旦' },
        { day: '2027-02-07', kind: 'workday', name: '春节调休' },
      ],
    })
    expect(put.status).toBe(200)
    expect(put.body.days.map((d) => d.day)).toEqual(['2027-01-01', '2027-02-07'])
    expect(
      (await s.api('sam', 'PUT', '/api/calendar', { from: '2027-01-01', to: '2027-02-01', days: [] })).status,
    ).toBe(403)
    expect(
      (
        await s.api<{ code: string }>('ada', 'PUT', '/api/calendar', {
          from: '2027-01-01',
          to: '2027-02-01',
          days: [{ day: '2027-02-30', kind: 'holiday' }],
        })
      ).status,
    ).toBe(400)
    const schedule = {
      openingHours: { '6': [{ start: '09:00', end: '12:00' }] },
      windows: [{ start: '22:00', end: '06:00' }],
    }
    expect((await s.api('sam', 'PUT', '/api/sites/hx-tc01/schedule', schedule)).status).toBe(200)
    expect((await s.api('dora', 'PUT', '/api/sites/hx-tc01/schedule', schedule)).status).toBe(403)
    expect(
      (
        await s.api<{ code: string }>('ada', 'PUT', '/api/sites/hx-tc01/schedule', {
          ...schedule,
          openingHours: { '1': [{ start: '17:00', end: '09:00' }] },
        })
      ).body.code,
    ).toBe('ERR_FLEET_ROLLOUT_SCHEDULE_INVALID')
    expect((await s.api('ada', 'PUT', '/api/sites/hx-tc01/schedule', { ...schedule, windows: 'always' })).status).toBe(
      400,
    )
    const got = await s.api<{ isDefault: boolean; openingHours: unknown }>('aud', 'GET', '/api/sites/hx-tc01/schedule')
    expect(got.body).toMatchObject({ isDefault: false, openingHours: schedule.openingHours })
  })
})
