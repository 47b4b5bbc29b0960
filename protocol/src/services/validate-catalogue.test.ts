import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type CatalogueFile, validateCatalogue } from './validate-catalogue.ts'

const DEMO = resolve(import.meta.dirname, '../../../kiosk/catalogue/departments')

function demoFiles(): CatalogueFile[] {
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]))
  return walk(DEMO).map((p) => ({ path: relative(DEMO, p), content: readFileSync(p, 'utf8') }))
}

const good = {
  id: 'hf-test',
  version: 1,
  department: 'housing-fund',
  name: { zh: '测试', en: 'Test' },
  guidance: { zh: '测试', en: 'Test' },
  category: 'records',
  identity: 'idCard',
  gateway: { query: { operation: 'hf-test' } },
  view: {
    kind: 'records',
    title: { zh: 't', en: 't' },
    empty: { zh: 'e', en: 'e' },
    record: { title: { zh: '{{record.a}}', en: '{{record.a}}' }, lines: [] },
  },
  output: { kind: 'screen' },
  peripherals: [['idCardReader']],
}
const department = {
  path: 'housing-fund/department.json',
  content: JSON.stringify({
    id: 'housing-fund',
    name: { zh: '公积金', en: 'HF' },
    shortName: { zh: '公积金', en: 'HF' },
  }),
}

describe('service catalogue validation', () => {
  it('accepts every definition and template of the demo catalogue: 40+ services of 7+ departments', () => {
    const result = validateCatalogue(demoFiles())
    if (!result.ok) expect(result.errors).toEqual([])
    if (!result.ok) return
    expect(result.catalogue.services.length).toBeGreaterThanOrEqual(40)
    expect(new Set(result.catalogue.services.map((s) => s.department)).size).toBeGreaterThanOrEqual(7)
    expect(result.catalogue.digest).toMatch(/^[0-9a-f]{64}$/)
    // Every input kind and output kind of the schema is used by some demo service.
    const inputs = new Set(result.catalogue.services.flatMap((s) => s.inputs.map((i) => i.kind)))
    expect([...inputs].sort()).toEqual(['code', 'dateRange', 'documentScan', 'option', 'pin'])
    expect(new Set(result.catalogue.services.map((s) => s.output.kind))).toEqual(
      new Set(['a4', 'receipt', 'screen', 'qr']),
    )
    expect(new Set(result.catalogue.services.map((s) => s.view.kind))).toEqual(new Set(['records', 'facts', 'choices']))
  })

  it('a well-formed definition passes with its defaults filled in', () => {
    const result = validateCatalogue([
      department,
      { path: 'housing-fund/services/hf-test.json', content: JSON.stringify(good) },
    ])
    expect(result.ok).toBe(true)
    if (result.ok)
      expect(result.catalogue.services[0]).toMatchObject({ keywords: [], inputs: [], endsOnCardRemoval: false })
  })

  it('lists every error of a bad definition at once, with file and pointer', () => {
    const bad = {
      ...good,
      department: 'tax',
      category: 'fun',
      inputs: [{ kind: 'code', id: 'c', label: { zh: 'c', en: 'c' }, mask: '####' }],
      gateway: { query: { operation: 'x', params: { a: 'input.nope', b: 'record.id', c: 'cookie.x' } } },
      view: { ...good.view, kind: 'choices', record: { title: { zh: '{{record.a|euro}}', en: '{{ok' }, lines: [] } },
      output: { kind: 'a4', template: 'missing', action: { zh: 'p', en: 'p' } },
      peripherals: [],
    }
    const result = validateCatalogue([
      department,
      { path: 'housing-fund/services/hf-bad.json', content: JSON.stringify({ ...bad, id: 'hf-bad' }) },
      { path: 'housing-fund/services/hf-worse.json', content: '{ not json' },
      { path: 'housing-fund/secrets.txt', content: 'x' },
    ])
    expect(result.ok).toBe(false)
    if (result.ok) return
    const messages = result.errors.map((e) => `${e.file}#${e.pointer}: ${e.message}`)
    expect(messages.some((m) => m.includes('hf-bad.json#/category'))).toBe(true)
    expect(messages.some((m) => m.includes('hf-worse.json#: not UTF-8 JSON'))).toBe(true)
    expect(messages.some((m) => m.includes('secrets.txt#: not a catalogue path'))).toBe(true)
    expect(result.errors.length).toBeGreaterThanOrEqual(3)
  })

  it('cross-checks what the schema cannot: folder, inputs named by params, templates, placeholders, peripherals', () => {
    const bad = {
      ...good,
      id: 'hf-cross',
      department: 'tax',
      gateway: {
        query: { operation: 'xy', params: { a: 'input.nope', b: 'record.id', c: 'cookie.x', d: 'identity.pin' } },
      },
      view: { ...good.view, kind: 'choices', record: { title: { zh: '{{record.a|euro}}', en: '{{ok' }, lines: [] } },
      output: { kind: 'a4', template: 'missing', action: { zh: 'p', en: 'p' } },
      peripherals: [],
    }
    const result = validateCatalogue([
      department,
      { path: 'housing-fund/services/hf-cross.json', content: JSON.stringify(bad) },
    ])
    expect(result.ok).toBe(false)
    if (result.ok) return
    const pointers = result.errors.map((e) => `${e.pointer}: ${e.message}`)
    for (const expected of [
      '/department: department "tax" must be the folder "housing-fund"',
      '/gateway/query/params/a: "input.nope" names no input of this service',
      '/gateway/query/params/b: the query runs before a record is chosen: use input.* or =literal',
      '/gateway/query/params/c: "cookie.x" must be input.<id>[.<field>], record.<field>, identity.pin or =literal',
      '/gateway/query/params/d: identity.pin exists only for identity idOrSsCardPin',
      '/view/record/idField: a choices view needs idField',
      '/output/template: no template "missing" in the catalogue',
      '/peripherals: idCard needs a peripheral group [idCardReader]',
      '/peripherals: a4 output needs a peripheral group [documentPrinter]',
    ]) {
      expect(pointers).toContain(expected)
    }
    expect(pointers.some((p) => p.startsWith('/view/record/title/zh: unknown formatter "euro"'))).toBe(true)
    expect(pointers.some((p) => p.startsWith('/view/record/title/en: malformed placeholder'))).toBe(true)
  })
})
