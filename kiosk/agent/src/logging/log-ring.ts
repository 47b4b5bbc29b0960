import { Writable } from 'node:stream'

/**
 * Keeps the last `capacity` log lines in memory for `collect-logs`. It receives pino's output
 * after redaction, so card fields and secrets are already gone.
 */
export class LogRing extends Writable {
  readonly #lines: string[] = []
  #partial = ''

  constructor(readonly capacity = 2000) {
    super()
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const text = this.#partial + chunk.toString()
    const parts = text.split('\n')
    this.#partial = parts.pop() ?? ''
    for (const line of parts) {
      if (line === '') continue
      this.#lines.push(line)
      if (this.#lines.length > this.capacity) this.#lines.shift()
    }
    done()
  }

  /** The newest `max` lines, oldest first. */
  lines(max = this.capacity): string[] {
    return this.#lines.slice(-max)
  }

  get size(): number {
    return this.#lines.length
  }
}
