import type { Static, TSchema } from '@sinclair/typebox'
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler'

export type DecodeResult<T> =
  | { ok: true; value: T }
  | { ok: false; reason: 'notJson' | 'schema' | 'tooLarge'; errors: string[] }

/** Payloads larger than this are rejected before parsing (health is ~1-3 KB). */
export const MAX_PAYLOAD_BYTES = 256 * 1024

/**
 * A validator for one schema, compiled once. Decoding never throws: bad payloads come back as a
 * result with the first few schema errors, for the caller to count and log.
 */
export class PayloadCodec<S extends TSchema> {
  readonly #check: TypeCheck<S>

  constructor(readonly schema: S) {
    this.#check = TypeCompiler.Compile(schema)
  }

  decode(payload: Uint8Array | string): DecodeResult<Static<S>> {
    if (payload.length > MAX_PAYLOAD_BYTES) {
      return {
        ok: false,
        reason: 'tooLarge',
        errors: [`payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`],
      }
    }
    let value: unknown
    try {
      value = JSON.parse(typeof payload === 'string' ? payload : textDecoder.decode(payload))
    } catch (err) {
      return { ok: false, reason: 'notJson', errors: [err instanceof Error ? err.message : String(err)] }
    }
    return this.check(value)
  }

  check(value: unknown): DecodeResult<Static<S>> {
    if (this.#check.Check(value)) return { ok: true, value }
    const errors: string[] = []
    for (const error of this.#check.Errors(value)) {
      errors.push(`${error.path || '/'}: ${error.message}`)
      if (errors.length >= 5) break
    }
    return { ok: false, reason: 'schema', errors }
  }

  /** Serializes a payload the sender built; a schema violation here is a bug, so it throws. */
  encode(value: Static<S>): string {
    const result = this.check(value)
    if (!result.ok) throw new TypeError(`payload does not match its schema: ${result.errors.join('; ')}`)
    return JSON.stringify(value)
  }
}

const textDecoder = new TextDecoder('utf-8', { fatal: true })
