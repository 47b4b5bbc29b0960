import { describe, expect, it } from 'vitest'
import { runRolloutBench } from '../support/rollout-sim.ts'

describe('rollout benchmark harness', () => {
  it('rolls a release out to a few hundred simulated kiosks through the open broker', async () => {
    const result = await runRolloutBench({ kiosks: 300, groups: [{ percent: 5 }, { percent: 100 }] })
    expect(result).toMatchObject({ kiosks: 300, status: 'completed', states: { total: 300, succeeded: 300 } })
    expect(result.completeMs).toBeGreaterThanOrEqual(result.notifyMs)
  }, 180_000)
})
