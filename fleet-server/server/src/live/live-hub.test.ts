import type { KioskView } from '@kiosk-fleet/protocol/http'
import pino from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Principal } from '../auth/roles.ts'
import { LiveHub } from './live-hub.ts'

const admin: Principal = { userId: 'a', displayName: 'a', role: 'admin', departments: [], sites: [], vendors: [] }
const logger = pino({ level: 'silent' })
const view = (id: string) =>
  ({ id, department: null, site: null, peripherals: [], services: [] }) as unknown as KioskView

/** A kiosk repository whose reads are answered when the test says (`release`), recording what was asked. */
function heldRepo() {
  const asked: string[][] = []
  const held: (() => void)[] = []
  return {
    asked,
    release: () => held.shift()?.(),
    repo: {
      byIds: (ids: string[]) => {
        asked.push([...ids].sort())
        return new Promise<KioskView[]>((resolve) => held.push(() => resolve(ids.map(view))))
      },
    },
  }
}

const until = async (done: () => boolean) => {
  while (!done()) await new Promise((r) => setTimeout(r, 1))
}

afterEach(() => {
  vi.useRealTimers()
})

describe('LiveHub', () => {
  it('pushes a change on an idle hub at once, not after an interval', async () => {
    const { repo, asked, release } = heldRepo()
    // An hour between pushes: only the first change of a quiet hub may go out without waiting.
    const hub = new LiveHub(repo, logger, 3_600_000)
    const sent: string[][] = []
    hub.subscribe(admin, (kiosks) => sent.push(kiosks.map((k) => k.id)))
    hub.changed(['k1'])
    await until(() => asked.length === 1)
    release()
    await until(() => sent.length === 1)
    expect(sent).toEqual([['k1']])
    hub.close()
  })

  it('gathers the changes made while a push runs into the next push', async () => {
    const { repo, asked, release } = heldRepo()
    const hub = new LiveHub(repo, logger, 0)
    const sent: string[][] = []
    hub.subscribe(admin, (kiosks) => sent.push(kiosks.map((k) => k.id).sort()))
    hub.changed(['k1'])
    await until(() => asked.length === 1)
    hub.changed(['k2'])
    hub.changed(['k3', 'k2'])
    // Nothing else is read while the first push runs.
    await new Promise((r) => setTimeout(r, 20))
    expect(asked).toEqual([['k1']])
    release()
    await until(() => asked.length === 2)
    release()
    await until(() => sent.length === 2)
    expect(sent).toEqual([['k1'], ['k2', 'k3']])
    hub.close()
  })

  it('starts two pushes at least minIntervalMs apart', async () => {
    vi.useFakeTimers()
    const { repo, asked, release } = heldRepo()
    const hub = new LiveHub(repo, logger, 1000, () => Date.now())
    hub.subscribe(admin, () => undefined)
    hub.changed(['k1'])
    await vi.advanceTimersByTimeAsync(0)
    expect(asked).toHaveLength(1)
    release()
    await vi.advanceTimersByTimeAsync(10)
    hub.changed(['k2'])
    await vi.advanceTimersByTimeAsync(900)
    expect(asked).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(100)
    expect(asked).toEqual([['k1'], ['k2']])
    release()
    hub.close()
  })

  it('reads nothing when nobody is watching', async () => {
    const { repo, asked } = heldRepo()
    const hub = new LiveHub(repo, logger, 0)
    hub.changed(['k1'])
    await new Promise((r) => setTimeout(r, 20))
    expect(asked).toEqual([])
    hub.close()
  })
})
