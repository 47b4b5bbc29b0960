import { describe, expect, it } from 'vitest'
import { groupProgress, type Rollout, type RolloutKiosk, renderStatus } from './rollout-view.ts'

const base: Rollout = {
  id: 'ro_1',
  name: 'printer fw 2.1',
  artifactId: 'art_1',
  artifact: { id: 'art_1', kind: 'firmware', version: '2.1.0', deviceModel: 'xprinter-xp-t58h' },
  filter: { machineTypes: [], departments: [], sites: [], deviceModels: [], firmware: [], appVersions: [] },
  status: 'running',
  statusReason: null,
  currentGroup: 1,
  groups: [{ count: 1 }, { percent: 100 }],
  successThreshold: 0.9,
  errorThreshold: 0.2,
  errorMinSample: 3,
  installMode: 'window',
  kioskTimeoutMs: 3_600_000,
  continuous: false,
  createdBy: 'ada',
  createdAt: '2026-11-24T06:00:00.000Z',
  approvedBy: 'bob',
  approvedAt: '2026-11-24T06:05:00.000Z',
  startedAt: '2026-11-24T06:10:00.000Z',
  finishedAt: null,
  updatedAt: '2026-11-24T06:10:00.000Z',
}

/** A kiosk row as `GET /api/rollouts/:id/kiosks` answers it. */
const row = (over: Partial<RolloutKiosk> & Pick<RolloutKiosk, 'kioskId' | 'group' | 'state'>): RolloutKiosk => ({
  progress: null,
  blockedBy: null,
  errorCode: null,
  attempts: 1,
  notifiedAt: null,
  reportedAt: null,
  finishedAt: null,
  updatedAt: '2026-11-24T06:10:00.000Z',
  ...over,
})

describe('rollout status view', () => {
  it('sums the server group counts by outcome', () => {
    const groups = groupProgress({
      ...base,
      groupCounts: [
        { group: 0, size: 1, states: { succeeded: 1 } },
        { group: 1, size: 5, states: { succeeded: 1, failed: 1, timedOut: 1, downloaded: 1, pending: 1 } },
      ],
    })
    expect(groups).toEqual([
      expect.objectContaining({ index: 0, size: 1, succeeded: 1 }),
      expect.objectContaining({ index: 1, size: 5, succeeded: 1, failed: 2, active: 1, pending: 1 }),
    ])
  })

  it('counts from kiosk rows when there are no group counts, including empty groups', () => {
    const groups = groupProgress({
      ...base,
      kiosks: [
        row({ kioskId: 'a', group: 0, state: 'succeeded' }),
        row({ kioskId: 'b', group: 0, state: 'cancelled' }),
      ],
    })
    expect(groups.map((g) => [g.size, g.succeeded, g.cancelled])).toEqual([
      [2, 1, 1],
      [0, 0, 0],
    ])
  })

  it('renders bars, the current group and the kiosk table', () => {
    const text = renderStatus(
      {
        ...base,
        groupCounts: [
          { group: 0, size: 1, states: { succeeded: 1 } },
          { group: 1, size: 2, states: { downloaded: 1, failed: 1 } },
        ],
        kiosks: [
          row({
            kioskId: 'k2',
            group: 1,
            state: 'downloaded',
            progress: 1,
            blockedBy: ['sessionActive'],
            errorCode: null,
          }),
          row({ kioskId: 'k1', group: 0, state: 'succeeded' }),
          row({ kioskId: 'k3', group: 1, state: 'failed', errorCode: 'ERR_KIOSK_UPDATE_HASH_MISMATCH' }),
        ],
      },
      { kiosks: true, width: 10 },
    )
    const lines = text.split('\n')
    expect(lines[0]).toBe('ro_1  printer fw 2.1  RUNNING')
    expect(text).toContain('  group 1 (1) ██████████ 100%  1/1 succeeded')
    expect(text).toContain('▶ group 2 (100%) ░░░░░░░░░░   0%  0/2 succeeded, 1 failed, 1 in progress')
    expect(text).toMatch(/k1\s+1\s+succeeded\n/)
    expect(text).toMatch(/k2\s+2\s+downloaded\s+100%\s+sessionActive/)
    expect(text).toMatch(/k3\s+2\s+failed\s+ERR_KIOSK_UPDATE_HASH_MISMATCH/)
  })
})
