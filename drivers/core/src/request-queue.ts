import { AppError, DriverErrorCodes } from './errors.ts'
import { fail, ok, type Result } from './result.ts'

/**
 * One request in flight at a time (zigbee-herdsman's ZNP queue). Tasks run in submission order;
 * a failing task does not stop the queue.
 */
export class RequestQueue {
  #tail: Promise<unknown> = Promise.resolve()
  #closed = false

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new AppError(DriverErrorCodes.queueClosed, 'request queue is closed'))
    const next = this.#tail.then(task, task)
    this.#tail = next.catch(() => undefined)
    return next
  }

  close(): void {
    this.#closed = true
  }
}

interface Waiting<F> {
  matches: (frame: F) => boolean
  settle: (result: Result<F>) => void
  timer: ReturnType<typeof setTimeout>
}

/**
 * Waits for a decoded frame that matches a predicate. Register with `expect()` *before* writing the
 * request, then feed every decoded frame to `push()`. Timeouts are results, not exceptions.
 */
export class FrameWaiter<F> {
  readonly #waiting = new Set<Waiting<F>>()

  expect(matches: (frame: F) => boolean, timeoutMs: number): Promise<Result<F>> {
    return new Promise((resolve) => {
      const entry: Waiting<F> = {
        matches,
        settle: (result) => {
          clearTimeout(entry.timer)
          this.#waiting.delete(entry)
          resolve(result)
        },
        timer: setTimeout(() => entry.settle(fail('timeout', `no response within ${timeoutMs} ms`)), timeoutMs),
      }
      this.#waiting.add(entry)
    })
  }

  /** Offers a frame to the first matching waiter; returns false when nobody wanted it. */
  push(frame: F): boolean {
    for (const entry of this.#waiting) {
      if (entry.matches(frame)) {
        entry.settle(ok(frame))
        return true
      }
    }
    return false
  }

  /** Settles every waiter as canceled (transport closed or device gone). */
  cancelAll(message: string): void {
    for (const entry of [...this.#waiting]) entry.settle(fail('canceled', message))
  }

  get pending(): number {
    return this.#waiting.size
  }
}
