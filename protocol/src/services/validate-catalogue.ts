import { createHash } from 'node:crypto'
import type { TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { Value } from '@sinclair/typebox/value'
import { DocumentTemplate } from './document-template.ts'
import {
  DepartmentEntry,
  type ServiceDefinition,
  ServiceDefinition as ServiceDefinitionSchema,
} from './service-definition.ts'
import { templateProblems, templateRoots } from './text-template.ts'

/**
 * A catalogue is files under `<department>/`: `department.json`, `services/<id>.json`,
 * `templates/<id>.json`. Validation lists every error of every file (schema and cross-checks),
 * so a department fixes its upload in one go; a kiosk loads only a catalogue without errors.
 */
export interface CatalogueFile {
  /** Relative path, e.g. `tax/services/tax-certificate.json`. */
  path: string
  content: string | Uint8Array
}

export interface CatalogueError {
  file: string
  /** JSON pointer inside the file ('' for the file itself). */
  pointer: string
  message: string
}

export interface Catalogue {
  /** sha256 over the files' paths and contents, in path order: what a kiosk reports it runs. */
  digest: string
  departments: DepartmentEntry[]
  services: ServiceDefinition[]
  templates: DocumentTemplate[]
}

export type CatalogueValidation = { ok: true; catalogue: Catalogue } | { ok: false; errors: CatalogueError[] }

const checkers = {
  department: TypeCompiler.Compile(DepartmentEntry),
  service: TypeCompiler.Compile(ServiceDefinitionSchema),
  template: TypeCompiler.Compile(DocumentTemplate),
}
const FILE_PATH = /^([a-z][a-z0-9-]{1,31})\/(?:(department)\.json|(services|templates)\/([a-z][a-z0-9-]{1,63})\.json)$/

function decode(content: string | Uint8Array): string {
  return typeof content === 'string' ? content : new TextDecoder('utf-8', { fatal: true }).decode(content)
}

/** For the digest only: a file that is not UTF-8 fails validation, so no digest of it is ever used. */
function decodeLoosely(content: string | Uint8Array): string {
  return typeof content === 'string' ? content : new TextDecoder('utf-8').decode(content)
}

function checked<T>(
  checker: ReturnType<typeof TypeCompiler.Compile>,
  schema: TSchema,
  file: string,
  json: unknown,
  errors: CatalogueError[],
): T | undefined {
  const value = Value.Default(schema, Value.Clone(json))
  if (checker.Check(value)) return value as T
  for (const e of checker.Errors(value)) errors.push({ file, pointer: e.path, message: e.message })
  return undefined
}

/** Every peripheral group a definition must name, from its identity, inputs and output. */
function requiredPeripherals(s: ServiceDefinition): { cls: string[]; why: string }[] {
  const out: { cls: string[]; why: string }[] = []
  if (s.identity === 'idCard' || s.identity === 'idCardFace') out.push({ cls: ['idCardReader'], why: s.identity })
  if (s.identity === 'idCardFace') out.push({ cls: ['camera'], why: 'idCardFace' })
  if (s.identity === 'idOrSsCardPin') out.push({ cls: ['idCardReader', 'smartCardReader'], why: s.identity })
  if (s.inputs.some((i) => i.kind === 'documentScan')) out.push({ cls: ['documentScanner'], why: 'documentScan input' })
  if (s.output.kind === 'a4') out.push({ cls: ['documentPrinter'], why: 'a4 output' })
  if (s.output.kind === 'receipt' && !s.output.optional) out.push({ cls: ['receiptPrinter'], why: 'receipt output' })
  return out
}

function crossCheck(
  s: ServiceDefinition,
  file: string,
  templates: Map<string, DocumentTemplate>,
  departments: Set<string>,
  errors: CatalogueError[],
): void {
  const add = (pointer: string, message: string) => errors.push({ file, pointer, message })
  if (!departments.has(s.department)) add('/department', `department "${s.department}" has no department.json`)
  const inputIds = new Set<string>()
  s.inputs.forEach((input, i) => {
    if (inputIds.has(input.id)) add(`/inputs/${i}/id`, `input id "${input.id}" is used twice`)
    inputIds.add(input.id)
  })
  const checkCall = (name: 'query' | 'document') => {
    const call = s.gateway[name]
    if (!call) return
    for (const [param, source] of Object.entries(call.params)) {
      const pointer = `/gateway/${name}/params/${param}`
      if (source.startsWith('=')) continue
      const [root, key] = source.split('.')
      if (root === 'input') {
        if (!key || !inputIds.has(key)) add(pointer, `"${source}" names no input of this service`)
      } else if (root === 'record') {
        if (name === 'query') add(pointer, 'the query runs before a record is chosen: use input.* or =literal')
        if (!key) add(pointer, `"${source}" names no record field`)
      } else if (root === 'identity' && key === 'pin') {
        if (s.identity !== 'idOrSsCardPin') add(pointer, 'identity.pin exists only for identity idOrSsCardPin')
      } else {
        add(pointer, `"${source}" must be input.<id>[.<field>], record.<field>, identity.pin or =literal`)
      }
    }
  }
  checkCall('query')
  checkCall('document')
  if (s.view.kind === 'choices' && !s.view.record.idField) add('/view/record/idField', 'a choices view needs idField')
  if (s.gateway.document && s.view.kind !== 'choices') {
    add('/gateway/document', 'gateway.document runs with a chosen record: only a choices view has one')
  }
  const texts: [string, string][] = [
    ['/view/record/title/zh', s.view.record.title.zh],
    ['/view/record/title/en', s.view.record.title.en],
    ...s.view.record.lines.map((l, i): [string, string] => [`/view/record/lines/${i}/value`, l.value]),
  ]
  if (s.output.kind === 'qr') texts.push(['/output/url', s.output.url])
  for (const [pointer, text] of texts) {
    for (const p of templateProblems(text)) add(pointer, p)
    for (const root of templateRoots(text)) {
      if (!['record', 'input', 'now'].includes(root))
        add(pointer, `placeholder root "${root}" is not record, input or now`)
    }
  }
  if (s.output.kind === 'a4' || s.output.kind === 'receipt') {
    const t = templates.get(s.output.template)
    if (!t) add('/output/template', `no template "${s.output.template}" in the catalogue`)
    else if (t.kind !== s.output.kind)
      add('/output/template', `template "${t.id}" is ${t.kind}, the output is ${s.output.kind}`)
  }
  for (const need of requiredPeripherals(s)) {
    const named = s.peripherals.some((group) => need.cls.every((c) => (group as string[]).includes(c)))
    if (!named) add('/peripherals', `${need.why} needs a peripheral group [${need.cls.join(', ')}]`)
  }
}

function templateTexts(t: DocumentTemplate): [string, string][] {
  if (t.kind === 'a4') {
    return [
      ['/authority', t.authority],
      ['/serial', t.serial],
      ...t.fields.map((f, i): [string, string] => [`/fields/${i}/value`, f.value]),
      ...(t.table?.columns ?? []).map((c, i): [string, string] => [`/table/columns/${i}/value`, c.value]),
      ...t.paragraphs.map((p, i): [string, string] => [`/paragraphs/${i}`, p]),
      ['/issuer', t.issuer],
      ['/issuedOn', t.issuedOn],
      ['/verificationCode', t.verificationCode],
    ]
  }
  const lines = (name: string, list: typeof t.header) =>
    list.flatMap((line, i): [string, string][] => {
      if (line.type === 'text') return [[`/${name}/${i}/text`, line.text]]
      if (line.type === 'pair')
        return [
          [`/${name}/${i}/left`, line.left],
          [`/${name}/${i}/right`, line.right],
        ]
      if (line.type === 'qr') return [[`/${name}/${i}/data`, line.data]]
      return []
    })
  return [...lines('header', t.header), ...lines('each', t.each ?? []), ...lines('footer', t.footer)]
}

const byPath = (files: readonly CatalogueFile[]) => [...files].sort((a, b) => a.path.localeCompare(b.path))

/**
 * Validates a whole catalogue (all departments) or one department's part of it. Bundles laid over
 * it (`laidOver`, a kiosk's installed bundles or an upload) are checked after it, so a bundle that
 * takes an id already in use is the file in error, not the one it clashes with. The digest depends
 * only on the files, not on how they were passed.
 */
export function validateCatalogue(
  files: readonly CatalogueFile[],
  ...laidOver: readonly (readonly CatalogueFile[])[]
): CatalogueValidation {
  const errors: CatalogueError[] = []
  const departments: DepartmentEntry[] = []
  const services: { file: string; value: ServiceDefinition }[] = []
  const templates = new Map<string, DocumentTemplate>()
  const serviceIds = new Map<string, string>()
  const hash = createHash('sha256')
  for (const f of byPath([files, ...laidOver].flat())) hash.update(`${f.path}\n${decodeLoosely(f.content)}\n`)
  for (const f of [files, ...laidOver].flatMap(byPath)) {
    const match = FILE_PATH.exec(f.path)
    if (!match) {
      errors.push({
        file: f.path,
        pointer: '',
        message:
          'not a catalogue path: <department>/department.json, <department>/services/<id>.json or <department>/templates/<id>.json',
      })
      continue
    }
    const [, dept, isDepartment, folder, id] = match
    let json: unknown
    try {
      json = JSON.parse(decode(f.content))
    } catch (err) {
      errors.push({ file: f.path, pointer: '', message: `not UTF-8 JSON: ${(err as Error).message}` })
      continue
    }
    if (isDepartment) {
      const d = checked<DepartmentEntry>(checkers.department, DepartmentEntry, f.path, json, errors)
      if (d && d.id !== dept)
        errors.push({ file: f.path, pointer: '/id', message: `id "${d.id}" must be the folder name "${dept}"` })
      else if (d) departments.push(d)
      continue
    }
    const schema = folder === 'services' ? ServiceDefinitionSchema : DocumentTemplate
    const checker = folder === 'services' ? checkers.service : checkers.template
    const value = checked<ServiceDefinition | DocumentTemplate>(checker, schema, f.path, json, errors)
    if (!value) continue
    if (value.id !== id)
      errors.push({ file: f.path, pointer: '/id', message: `id "${value.id}" must be the file name "${id}"` })
    if (value.department !== dept) {
      errors.push({
        file: f.path,
        pointer: '/department',
        message: `department "${value.department}" must be the folder "${dept}"`,
      })
    }
    if (folder === 'services') {
      const previous = serviceIds.get(value.id)
      if (previous)
        errors.push({
          file: f.path,
          pointer: '/id',
          message: `service id "${value.id}" is also defined in ${previous}`,
        })
      serviceIds.set(value.id, f.path)
      services.push({ file: f.path, value: value as ServiceDefinition })
    } else {
      const t = value as DocumentTemplate
      // The first keeps the id, so services that use it are checked against it, not the clash.
      if (templates.has(t.id))
        errors.push({ file: f.path, pointer: '/id', message: `template id "${t.id}" is used twice` })
      else templates.set(t.id, t)
      for (const [pointer, text] of templateTexts(t)) {
        for (const message of templateProblems(text)) errors.push({ file: f.path, pointer, message })
      }
    }
  }
  const departmentIds = new Set(departments.map((d) => d.id))
  for (const s of services) crossCheck(s.value, s.file, templates, departmentIds, errors)
  if (errors.length > 0) return { ok: false, errors }
  return {
    ok: true,
    catalogue: {
      digest: hash.digest('hex'),
      departments,
      services: services.sort((a, b) => a.file.localeCompare(b.file)).map((s) => s.value),
      templates: [...templates.values()],
    },
  }
}

/** One line per error, for the CLI and logs. */
export function formatCatalogueErrors(errors: readonly CatalogueError[]): string {
  return errors.map((e) => `${e.file}${e.pointer ? `#${e.pointer}` : ''}: ${e.message}`).join('\n')
}
