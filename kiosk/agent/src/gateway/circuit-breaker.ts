import { Listeners } from '@drivers/core'
import type { GatewayRequest, GatewayResponse } from '@kiosk-fleet/protocol'
import type { DepartmentGateway } from './department-gateway.ts'

export interface CircuitBreakerOptions {
  /** Consecutive `unavailable` answers that open the circuit of a department. */
  failureThreshold: number
  /** How long an open circuit refuses calls before one trial call is let through. */
  openMs: number
  now?: () => number
}

export type CircuitState = 'closed' | 'open' | 'halfOpen'

interface Circuit {
  state: CircuitState
  failures: number
  openedAt: number
  timer?: ReturnType<typeof setTimeout>
}

/**
 * One circuit per department around the gateway: when a department's system fails repeatedly its
 * services become unavailable at once (the next citizen is not made to wait for the same
 * failure); after `openMs` one trial call decides whether it is back. Business answers (notFound,
 * pinWrong…) are successes for the circuit.
 */
export class CircuitBreakerGateway implements DepartmentGateway {
  readonly #inner: DepartmentGateway
  readonly #options: CircuitBreakerOptions
  readonly #circuits = new Map<string, Circuit>()
  readonly #changed = new Listeners<[department: string, state: CircuitState]>()
  readonly #now: () => number

  constructor(inner: DepartmentGateway, options: CircuitBreakerOptions) {
    if (options.failureThreshold < 1) throw new TypeError('CircuitBreakerOptions.failureThreshold must be ≥ 1')
    this.#inner = inner
    this.#options = options
    this.#now = options.now ?? Date.now
  }

  onChanged(listener: (department: string, state: CircuitState) => void): () => void {
    return this.#changed.on(listener)
  }

  /** `open` means the department's services are unavailable now. */
  state(department: string): CircuitState {
    const c = this.#circuits.get(department)
    if (!c) return 'closed'
    if (c.state === 'open' && this.#now() - c.openedAt >= this.#options.openMs) return 'halfOpen'
    return c.state
  }

  dispose(): void {
    for (const c of this.#circuits.values()) clearTimeout(c.timer)
    this.#changed.clear()
  }

  /** Departments whose circuit is open (refusing calls). */
  openDepartments(): string[] {
    return [...this.#circuits.keys()].filter((d) => this.state(d) === 'open')
  }

  async call(department: string, operation: string, request: GatewayRequest): Promise<GatewayResponse> {
    const state = this.state(department)
    if (state === 'open') {
      return { ok: false, error: { code: 'unavailable', message: `circuit open: ${department} is failing` } }
    }
    const answer = await this.#inner.call(department, operation, request)
    const failed = !answer.ok && answer.error.code === 'unavailable'
    this.#record(department, failed)
    return answer
  }

  #record(department: string, failed: boolean): void {
    const c = this.#circuits.get(department) ?? { state: 'closed' as CircuitState, failures: 0, openedAt: 0 }
    const before = this.state(department)
    if (failed) {
      c.failures += 1
      if (before === 'halfOpen' || c.failures >= this.#options.failureThreshold) {
        c.state = 'open'
        c.openedAt = this.#now()
        clearTimeout(c.timer)
        // The trial call is allowed after openMs: say so, so the services show as available again.
        c.timer = setTimeout(() => this.#changed.emit(department, this.state(department)), this.#options.openMs)
        c.timer.unref?.()
      }
    } else {
      c.failures = 0
      c.state = 'closed'
      clearTimeout(c.timer)
    }
    this.#circuits.set(department, c)
    const after = this.state(department)
    if (after !== before) this.#changed.emit(department, after)
  }
}
