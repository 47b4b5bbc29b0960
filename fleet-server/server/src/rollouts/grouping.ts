import { createHash } from 'node:crypto'
import type { RolloutGroupSpec } from '@kiosk-fleet/protocol/http'

/** A group's size: a fixed number of kiosks, or a cumulative percent of the whole selection. */
export type GroupSpec = RolloutGroupSpec

/** The stable pseudo-random position of a kiosk in a rollout: the same rollout always orders alike. */
export function orderKey(rolloutId: string, kioskId: string): string {
  return createHash('sha256').update(rolloutId).update('\0').update(kioskId).digest('hex')
}

/** Kiosk ids in the rollout's stable pseudo-random order (a sample across sites, not one town). */
export function shuffleStable(rolloutId: string, kioskIds: readonly string[]): string[] {
  return kioskIds
    .map((id) => ({ id, key: orderKey(rolloutId, id) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : 1))
    .map((e) => e.id)
}

/**
 * Where each group ends in the ordered selection (exclusive). `count` adds kiosks to the previous
 * group's end; `percent` is cumulative over the whole selection (rounded up, so 1% of 50 is one
 * kiosk). A group can be empty (`50%` after `count: 40` of 50); kiosks after the last group's end are
 * not part of the rollout (`[{percent: 25}]` targets a quarter).
 */
export function groupEnds(groups: readonly GroupSpec[], total: number): number[] {
  const ends: number[] = []
  let end = 0
  for (const g of groups) {
    const next = 'count' in g ? end + g.count : Math.ceil((total * g.percent) / 100 - 1e-9)
    end = Math.min(total, Math.max(end, next))
    ends.push(end)
  }
  return ends
}

/** Assigns each kiosk of the ordered selection to its group; kiosks beyond the last group are left out. */
export function assignGroups(
  rolloutId: string,
  kioskIds: readonly string[],
  groups: readonly GroupSpec[],
): { kioskId: string; group: number }[] {
  const ordered = shuffleStable(rolloutId, kioskIds)
  const ends = groupEnds(groups, ordered.length)
  const out: { kioskId: string; group: number }[] = []
  let group = 0
  for (let i = 0; i < ordered.length; i++) {
    while (group < ends.length && i >= (ends[group] as number)) group += 1
    if (group >= ends.length) break
    out.push({ kioskId: ordered[i] as string, group })
  }
  return out
}
