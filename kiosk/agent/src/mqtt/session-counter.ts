import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileAtomic } from '../fs/atomic-write.ts'

/**
 * Persistent connection counter (Sparkplug's bdSeq): every connection attempt gets a larger number,
 * so the server can tell a late Last Will of an old connection from the current one.
 */
export class SessionCounter {
  readonly #path: string
  #value: number

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true })
    this.#path = join(dir, 'session.json')
    this.#value = existsSync(this.#path) ? readSession(this.#path) : 0
  }

  next(): number {
    this.#value += 1
    writeFileAtomic(this.#path, JSON.stringify({ session: this.#value }))
    return this.#value
  }
}

function readSession(path: string): number {
  try {
    const value = (JSON.parse(readFileSync(path, 'utf8')) as { session?: unknown }).session
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0
  } catch {
    // A torn write leaves an unreadable file; restart from a time-derived floor so it still grows.
    return Math.floor(Date.now() / 1000)
  }
}
