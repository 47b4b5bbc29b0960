import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fillTemplate, type GatewayRequest, type GatewayResponse, valueAt } from '@kiosk-fleet/protocol'
import { hashOf } from './demo-data.ts'
import { CODE_OPERATIONS, type CodeOperation } from './demo-operations.ts'
import type { DepartmentGateway } from './department-gateway.ts'
import { maskIdNumber } from './mask.ts'
import { monthsBetween } from './month-range.ts'

/**
 * An operation answered from data (`demo-gateway/<department>.json`): records (or one per month
 * of the requested period), an optional document, an optional lookup that filters the records by a
 * parameter. Strings are templates over `citizen`, `params`, `today`, `seed6`, `counter`, `month`.
 */
export interface DataOperation {
  records?: Record<string, unknown>[]
  perMonth?: Record<string, unknown>
  document?: Record<string, unknown>
  lookup?: { param: string; field: string }
}

export interface DemoGatewayOptions {
  /** Folder of `<department>.json` files `{operations: {<operation>: DataOperation}}`, read again when changed. */
  dataDir: string
  /** Today's date in the demo's data (fixed, so receipts and tests are stable). */
  today?: string
  /** Operations not answered from data (PIN checks, notice codes): department → operation → code. */
  codeOperations?: Record<string, Record<string, CodeOperation>>
}

function fillDeep(value: unknown, data: unknown): unknown {
  if (typeof value === 'string') return fillTemplate(value, data)
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, data))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillDeep(v, data)]))
  }
  return value
}

/**
 * The department systems of the demo, behind the same contract a real gateway implements: data
 * operations from JSON files plus a few code operations. Serve it over HTTP with
 * startGatewayServer to exercise the HTTP path, or hand it to the engine in-process.
 */
export class DemoGateway implements DepartmentGateway {
  readonly #options: DemoGatewayOptions
  readonly #files = new Map<string, { mtimeMs: number; operations: Record<string, DataOperation> }>()
  readonly #counters = new Map<string, number>()
  readonly #codeState = new Map<string, unknown>()

  constructor(options: DemoGatewayOptions) {
    this.#options = options
  }

  async call(department: string, operation: string, request: GatewayRequest): Promise<GatewayResponse> {
    const code = (this.#options.codeOperations ?? CODE_OPERATIONS)[department]?.[operation]
    if (code) return code(request, { state: this.#codeState, today: this.#today() })
    const spec = this.#operations(department)[operation]
    if (!spec) return { ok: false, error: { code: 'invalidInput', message: `no operation ${department}/${operation}` } }
    return this.#answer(department, operation, spec, request)
  }

  #today(): string {
    return this.#options.today ?? '2026-01-15'
  }

  #operations(department: string): Record<string, DataOperation> {
    const file = join(this.#options.dataDir, `${department}.json`)
    if (!existsSync(file)) return {}
    const { mtimeMs } = statSync(file)
    const cached = this.#files.get(department)
    if (cached && cached.mtimeMs === mtimeMs) return cached.operations
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { operations?: Record<string, DataOperation> }
    const operations = parsed.operations ?? {}
    this.#files.set(department, { mtimeMs, operations })
    return operations
  }

  #answer(department: string, operation: string, spec: DataOperation, request: GatewayRequest): GatewayResponse {
    const key = `${department}/${operation}`
    const counter = (this.#counters.get(key) ?? 0) + 1
    this.#counters.set(key, counter)
    const idNumber = request.citizen?.idNumber ?? ''
    const data = {
      citizen: request.citizen
        ? { name: request.citizen.name, maskedIdNumber: maskIdNumber(request.citizen.idNumber) }
        : undefined,
      params: request.params,
      today: this.#today(),
      seed6: String(hashOf(`${idNumber}/${key}`) % 1_000_000).padStart(6, '0'),
      counter: String(counter).padStart(3, '0'),
      waiting: String((hashOf(`${key}/${counter}`) % 9) + 1),
    }
    let records: Record<string, unknown>[]
    if (spec.perMonth) {
      const months = monthsBetween(String(request.params.from ?? ''), String(request.params.to ?? ''))
      records = months.map((month) => fillDeep(spec.perMonth, { ...data, month }) as Record<string, unknown>)
    } else {
      records = (fillDeep(spec.records ?? [], data) as Record<string, unknown>[]).slice()
    }
    if (spec.lookup) {
      const wanted = String(request.params[spec.lookup.param] ?? '')
      records = records.filter((r) => String(valueAt(r, spec.lookup?.field ?? '')) === wanted)
      if (records.length === 0) return { ok: false, error: { code: 'notFound', message: 'no record matches' } }
    }
    const document = spec.document ? (fillDeep(spec.document, data) as Record<string, unknown>) : undefined
    return { ok: true, records, ...(document ? { document } : {}) }
  }
}

/** Departments that have a data file in the demo data dir. */
export function demoDepartments(dataDir: string): string[] {
  if (!existsSync(dataDir)) return []
  return readdirSync(dataDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
}
