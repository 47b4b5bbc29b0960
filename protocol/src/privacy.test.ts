import type { TSchema } from '@sinclair/typebox'
import { describe, expect, it } from 'vitest'
import { MESSAGES } from './catalog.ts'

/** Property names that would carry a citizen's personal data. None may appear in any MQTT payload. */
const PERSONAL = /^(name|fullName|idNumber|idNo|address|photo|photoWlt|cardNumber|birthDate|gender|nation|phone|mrz)$/i

/** Fields whose names look personal but describe the kiosk, not a citizen. */
const NOT_PERSONAL = new Set(['site.name'])

/** Dotted paths of every property, e.g. `site.name`, `peripherals.status.state`. */
function propertyPaths(schema: TSchema, prefix = ''): string[] {
  const paths: string[] = []
  const record = schema as Record<string, unknown>
  if (record.properties && typeof record.properties === 'object') {
    for (const [key, child] of Object.entries(record.properties as Record<string, TSchema>)) {
      const path = prefix ? `${prefix}.${key}` : key
      paths.push(path, ...propertyPaths(child, path))
    }
  }
  for (const key of ['items', 'additionalProperties', 'anyOf', 'allOf', 'oneOf']) {
    const child = record[key]
    if (Array.isArray(child)) for (const c of child) paths.push(...propertyPaths(c as TSchema, prefix))
    else if (child && typeof child === 'object') paths.push(...propertyPaths(child as TSchema, prefix))
  }
  const patterns = record.patternProperties
  if (patterns && typeof patterns === 'object') {
    for (const c of Object.values(patterns as Record<string, TSchema>)) paths.push(...propertyPaths(c, prefix))
  }
  return paths
}

function closedObjects(schema: TSchema, path: string, out: string[]): void {
  const record = schema as Record<string, unknown>
  if (record.type === 'object' && record.properties && record.additionalProperties !== false) out.push(path)
  if (record.properties) {
    for (const [k, c] of Object.entries(record.properties as Record<string, TSchema>))
      closedObjects(c, `${path}.${k}`, out)
  }
  for (const key of ['items', 'anyOf']) {
    const child = record[key]
    if (Array.isArray(child)) {
      for (const [i, c] of child.entries()) closedObjects(c as TSchema, `${path}.${key}[${i}]`, out)
    } else if (child && typeof child === 'object') closedObjects(child as TSchema, `${path}.${key}`, out)
  }
}

describe('the MQTT contract carries no personal data', () => {
  it.each(Object.entries(MESSAGES))('%s has no personal field', (_name, spec) => {
    const personal = propertyPaths(spec.schema).filter(
      (path) => PERSONAL.test(path.split('.').at(-1) ?? '') && !NOT_PERSONAL.has(path),
    )
    expect(personal).toEqual([])
  })

  it.each(Object.entries(MESSAGES))('%s closes every object (no extra fields can ride along)', (name, spec) => {
    const open: string[] = []
    closedObjects(spec.schema, name, open)
    expect(open).toEqual([])
  })
})
