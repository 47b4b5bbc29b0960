import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { writeFileAtomic } from '../fs/atomic-write.ts'
import type { SessionEndReason } from './citizen-session.ts'

export interface TransactionCount {
  serviceId: string
  outcome: SessionEndReason
  count: number
}

const FILE = 'transactions.json'

/**
 * Counts finished sessions per service and outcome, nothing else (no times, no citizens), kept
 * across restarts in the data dir so the fleet sees totals that only grow.
 */
export class TransactionCounter {
  readonly #counts = new Map<string, TransactionCount>()
  readonly #path: string | undefined
  readonly #log: Logger | undefined

  constructor(options: { dataDir?: string; logger?: Logger } = {}) {
    this.#path = options.dataDir === undefined ? undefined : join(options.dataDir, FILE)
    this.#log = options.logger
    if (this.#path && existsSync(this.#path)) {
      try {
        const saved = JSON.parse(readFileSync(this.#path, 'utf8')) as TransactionCount[]
        for (const c of saved) this.#counts.set(`${c.serviceId}/${c.outcome}`, c)
      } catch (err) {
        this.#log?.warn({ err }, 'transaction counts unreadable, starting from zero')
      }
    }
  }

  record(serviceId: string, outcome: SessionEndReason): void {
    const key = `${serviceId}/${outcome}`
    const entry = this.#counts.get(key) ?? { serviceId, outcome, count: 0 }
    entry.count += 1
    this.#counts.set(key, entry)
    if (this.#path) writeFileAtomic(this.#path, JSON.stringify(this.snapshot()))
  }

  snapshot(): TransactionCount[] {
    return [...this.#counts.values()]
      .map((c) => ({ ...c }))
      .sort((a, b) => a.serviceId.localeCompare(b.serviceId) || a.outcome.localeCompare(b.outcome))
  }
}
