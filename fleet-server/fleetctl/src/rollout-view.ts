import {
  ACTIVE_ROLLOUT_STATES,
  FAILED_ROLLOUT_STATES,
  FINAL_ROLLOUT_STATUSES,
  type RolloutDetailView,
  type RolloutKioskView,
  type RolloutView,
} from '@kiosk-fleet/protocol/http'
import { bar } from './progress.ts'
import { table } from './table.ts'

export type { RolloutStatus } from '@kiosk-fleet/protocol/http'
export const FINAL_STATUSES = FINAL_ROLLOUT_STATUSES
const FAILED = new Set<string>(FAILED_ROLLOUT_STATES)
const ACTIVE = new Set<string>(ACTIVE_ROLLOUT_STATES)

export type RolloutKiosk = RolloutKioskView

/**
 * A rollout as fleetctl shows it: `GET /api/rollouts` rows carry the view only, `GET /api/rollouts/:id`
 * adds artifact and counts, and `status --kiosks` adds the kiosk rows.
 */
export type Rollout = RolloutView & Partial<Omit<RolloutDetailView, keyof RolloutView>> & { kiosks?: RolloutKiosk[] }

export interface GroupProgress {
  index: number
  size: number
  succeeded: number
  failed: number
  active: number
  pending: number
  cancelled: number
  counts: Record<string, number>
}

function classify(g: GroupProgress, state: string, n: number): void {
  g.counts[state] = (g.counts[state] ?? 0) + n
  if (state === 'succeeded') g.succeeded += n
  else if (FAILED.has(state)) g.failed += n
  else if (ACTIVE.has(state)) g.active += n
  else if (state === 'cancelled') g.cancelled += n
  else g.pending += n
}

/** Per-group numbers: from the server's `groupCounts` when given, else counted from the kiosk rows. */
export function groupProgress(rollout: Rollout): GroupProgress[] {
  const groups = new Map<number, GroupProgress>()
  const ensure = (index: number) => {
    let g = groups.get(index)
    if (!g) {
      g = { index, size: 0, succeeded: 0, failed: 0, active: 0, pending: 0, cancelled: 0, counts: {} }
      groups.set(index, g)
    }
    return g
  }
  for (let i = 0; i < rollout.groups.length; i++) ensure(i)
  if (rollout.groupCounts !== undefined) {
    for (const c of rollout.groupCounts) {
      const g = ensure(c.group)
      g.size = c.size
      for (const [state, n] of Object.entries(c.states)) classify(g, state, n ?? 0)
    }
  } else {
    for (const k of rollout.kiosks ?? []) {
      const g = ensure(k.group)
      g.size++
      classify(g, k.state, 1)
    }
  }
  return [...groups.values()].sort((a, b) => a.index - b.index)
}

const groupLabel = (spec: Rollout['groups'][number] | undefined) =>
  spec === undefined ? '' : 'count' in spec ? `${spec.count}` : `${spec.percent}%`

/** The human `rollouts status` screen: header, a bar per group, then the kiosks. */
export function renderStatus(rollout: Rollout, options: { kiosks: boolean; width?: number }): string {
  const lines: string[] = []
  const a = rollout.artifact
  lines.push(
    `${rollout.id}  ${rollout.name}  ${rollout.status.toUpperCase()}${rollout.statusReason ? ` (${rollout.statusReason})` : ''}`,
  )
  lines.push(
    `artifact ${a ? `${a.id} ${a.kind} ${a.version}` : rollout.artifactId}` +
      ` · install ${rollout.installMode === 'window' ? 'in maintenance window' : 'when idle'}` +
      ` · success ≥ ${Math.round(rollout.successThreshold * 100)}% · halt at ${Math.round(rollout.errorThreshold * 100)}% errors (min ${rollout.errorMinSample})` +
      (rollout.continuous ? ' · continuous' : ''),
  )
  lines.push('')
  const width = options.width ?? 30
  for (const g of groupProgress(rollout)) {
    const marker =
      g.index === rollout.currentGroup && !['completed', 'aborted', 'halted'].includes(rollout.status) ? '▶' : ' '
    const done = g.size === 0 ? 0 : g.succeeded / g.size
    const parts = [
      `${g.succeeded}/${g.size} succeeded`,
      g.failed ? `${g.failed} failed` : '',
      g.active ? `${g.active} in progress` : '',
      g.pending ? `${g.pending} pending` : '',
      g.cancelled ? `${g.cancelled} cancelled` : '',
    ].filter(Boolean)
    lines.push(
      `${marker} group ${g.index + 1} (${groupLabel(rollout.groups[g.index])}) ${bar(done, width)} ${String(Math.round(done * 100)).padStart(3)}%  ${parts.join(', ')}`,
    )
  }
  if (options.kiosks && (rollout.kiosks?.length ?? 0) > 0) {
    lines.push('')
    lines.push(
      table(
        ['KIOSK', 'GROUP', 'STATE', 'PROGRESS', 'BLOCKED BY', 'ERROR'],
        [...(rollout.kiosks ?? [])]
          .sort((x, y) => x.group - y.group || x.kioskId.localeCompare(y.kioskId))
          .map((k) => [
            k.kioskId,
            k.group + 1,
            k.state,
            typeof k.progress === 'number' ? `${Math.round(k.progress * 100)}%` : '',
            k.blockedBy?.join(',') || '',
            k.errorCode ?? '',
          ]),
      ),
    )
  }
  return lines.join('\n')
}
