import type { CommandName } from '@kiosk-fleet/protocol'
import { type CommandOutcomeView, isDisruptiveCommand } from '@kiosk-fleet/protocol/http'
import { can, type Principal } from '../auth/roles.ts'
import { FleetError, FleetErrorCodes } from '../errors.ts'
import { type CommandQueue, queuedTransaction } from './command-queue.ts'
import type { CommandSender } from './command-sender.ts'

export interface RemoteCommandOptions {
  timeoutMs: number
  ttlMs: number
  /** How long a command to an offline kiosk waits for it (queued); undefined: not queued, sent anyway. */
  queueTtlMs: number | undefined
  requestedBy: string
  batchId?: string | undefined
}

export type KioskOutcome = CommandOutcomeView & { kioskId: string }

/**
 * Refuses a disruptive command (reboot, restart-agent, enter-maintenance) unless `confirm` is `true`
 * or one of the ids the user was shown (the kiosk's, the site's).
 */
export function requireConfirmation(command: string, confirm: true | string | undefined, ids: string[]): void {
  if (!isDisruptiveCommand(command)) return
  if (confirm === true || (confirm !== undefined && ids.includes(confirm))) return
  throw new FleetError(
    FleetErrorCodes.confirmationRequired,
    `${command} takes the kiosk out of service: send confirm: true${ids.length > 0 ? ` or "${ids[0]}"` : ''}`,
  )
}

/** Commands that need a right beyond `commandKiosks`: a screen is seen by IT staff only. */
export function requireCommandRight(command: string, principal: Principal): void {
  if (command === 'screenshot' && !can(principal, 'captureScreen')) {
    throw new FleetError(FleetErrorCodes.forbidden, `role ${principal.role} may not take screenshots of kiosks`)
  }
}

/**
 * Whether a command to an offline kiosk waits for it: not a screenshot, which shows a moment asked
 * for now (and its picture is stored only for the request waiting on it).
 */
export function isQueueable(command: string): boolean {
  return command !== 'screenshot'
}

/**
 * Runs a command on kiosks: online ones get it now and are waited for; offline (or never seen
 * online) ones get it queued until they return, when `queueTtlMs` is set. One outcome per kiosk.
 */
export async function runRemoteCommand(
  deps: { sender: CommandSender; queue: CommandQueue; now?: () => number },
  kiosks: { id: string; state: string }[],
  command: CommandName,
  params: Record<string, unknown>,
  o: RemoteCommandOptions,
): Promise<KioskOutcome[]> {
  const now = (deps.now ?? Date.now)()
  const queueTtlMs = o.queueTtlMs
  const offline = queueTtlMs === undefined ? [] : kiosks.filter((k) => k.state !== 'online')
  const queued = offline.map((k) => ({
    transaction: queuedTransaction(),
    kioskId: k.id,
    command,
    params,
    requestedAt: now,
    expiresAt: now + (queueTtlMs ?? 0),
    batchId: o.batchId,
    requestedBy: o.requestedBy,
  }))
  await deps.queue.enqueue(queued)
  const queuedIds = new Set(offline.map((k) => k.id))
  const sent = await Promise.all(
    kiosks
      .filter((k) => !queuedIds.has(k.id))
      .map(async (k): Promise<KioskOutcome> => {
        const outcome = await deps.sender.send(k.id, command, params as never, {
          timeoutMs: o.timeoutMs,
          ttlMs: o.ttlMs,
          batchId: o.batchId,
          requestedBy: o.requestedBy,
        })
        return { kioskId: k.id, ...outcome }
      }),
  )
  const outcomes: KioskOutcome[] = [
    ...sent,
    ...queued.map((q) => ({
      kioskId: q.kioskId,
      transaction: q.transaction,
      status: 'queued',
      expiresAt: new Date(q.expiresAt).toISOString(),
    })),
  ]
  const order = new Map(kiosks.map((k, i) => [k.id, i]))
  return outcomes.sort((a, b) => (order.get(a.kioskId) ?? 0) - (order.get(b.kioskId) ?? 0))
}

/** Counts of a batch's outcomes. */
export function summarise(outcomes: { status: string }[]) {
  const count = (s: string) => outcomes.filter((o) => o.status === s).length
  return {
    total: outcomes.length,
    ok: count('ok'),
    error: count('error'),
    timeout: count('timeout'),
    queued: count('queued'),
  }
}
