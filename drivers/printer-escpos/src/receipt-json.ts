import type { ReceiptDocument, ReceiptElement } from '@drivers/core'

const TYPES = new Set(['text', 'pair', 'separator', 'barcode', 'qr', 'image', 'feed', 'cut'])

/**
 * Reads a receipt from JSON (`kiosk-devices printer print --file`): the ReceiptDocument shape, with
 * image `bits` as a base64 string. Structural problems throw TypeError naming the element; the
 * encoder checks the values.
 */
export function parseReceiptJson(text: string): ReceiptDocument {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new TypeError(`receipt is not JSON: ${(err as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { elements?: unknown }).elements)) {
    throw new TypeError('receipt must be an object with an "elements" array')
  }
  const raw = value as { name?: unknown; elements: unknown[] }
  const elements = raw.elements.map((element, index): ReceiptElement => {
    if (typeof element !== 'object' || element === null) throw new TypeError(`elements[${index}] must be an object`)
    const e = element as Record<string, unknown>
    if (typeof e.type !== 'string' || !TYPES.has(e.type)) {
      throw new TypeError(`elements[${index}].type must be one of ${[...TYPES].join(', ')}`)
    }
    if (e.type === 'image') {
      if (typeof e.bits !== 'string') throw new TypeError(`elements[${index}].bits must be base64`)
      return {
        ...(e as unknown as ReceiptElement),
        bits: Uint8Array.from(Buffer.from(e.bits, 'base64')),
      } as ReceiptElement
    }
    return e as unknown as ReceiptElement
  })
  return typeof raw.name === 'string' ? { name: raw.name, elements } : { elements }
}

/** The inverse, for saving a receipt (images as base64). */
export function receiptToJson(document: ReceiptDocument): string {
  return JSON.stringify(
    document,
    (_key, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v),
    2,
  )
}
