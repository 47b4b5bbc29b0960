import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AppError } from '@drivers/core'
import Ajv from 'ajv'
import type { DeviceDefinition } from './definition.ts'
import { RegistryErrorCodes } from './validate.ts'

/** drivers/registry/models: one folder per vendor, one JSON file per model, and model.schema.json. */
export const MODELS_DIR = fileURLToPath(new URL('../models/', import.meta.url))

/** One model file as read, before it becomes a definition. */
export interface ModelFile {
  /** Path relative to the models folder, `epson/tm-t88v.json`. */
  file: string
  json: unknown
}

/** Every `<vendor>/<model>.json` under `dir`, sorted by path. */
export function readModelFiles(dir: string = MODELS_DIR): ModelFile[] {
  const files: ModelFile[] = []
  for (const vendor of readdirSync(dir, { withFileTypes: true })) {
    if (!vendor.isDirectory()) continue
    for (const name of readdirSync(join(dir, vendor.name)).filter((n) => n.endsWith('.json'))) {
      const file = `${vendor.name}/${name}`
      const text = readFileSync(join(dir, file), 'utf8')
      try {
        files.push({ file, json: JSON.parse(text) as unknown })
      } catch (err) {
        throw new AppError(RegistryErrorCodes.invalid, `invalid device registry: ${file} is not JSON`, { cause: err })
      }
    }
  }
  return files.sort((a, b) => a.file.localeCompare(b.file))
}

/** Problems of one file against model.schema.json and its path (`<vendor>/<model>.json` ↔ id `<vendor>-<model>`). */
export function modelFileProblems(files: readonly ModelFile[], dir: string = MODELS_DIR): string[] {
  const schema = JSON.parse(readFileSync(join(dir, 'model.schema.json'), 'utf8')) as Record<string, unknown>
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema)
  const problems: string[] = []
  for (const { file, json } of files) {
    if (!validate(json)) {
      for (const e of validate.errors ?? []) {
        const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : ''
        problems.push(`${file}: ${e.instancePath || '/'} ${e.message ?? 'is invalid'}${extra}`)
      }
      continue
    }
    const id = (json as { id: string }).id
    const expected = file.replace(/\.json$/, '').replace('/', '-')
    if (id !== expected) problems.push(`${file}: id ${id} must be ${expected} (models/<vendor>/<model>.json)`)
  }
  return problems
}

/** A validated file as a definition: USB ids become numbers, the `$schema` pointer goes. */
function toDefinition(json: unknown): DeviceDefinition {
  const {
    $schema: _schema,
    match,
    ...rest
  } = json as Omit<DeviceDefinition, 'match'> & {
    $schema?: string
    match: { usbVendorId: string; usbProductId: string; source?: string }[]
  }
  return {
    ...rest,
    match: match.map((m) => ({
      usbVendorId: Number.parseInt(m.usbVendorId, 16),
      usbProductId: Number.parseInt(m.usbProductId, 16),
      ...(m.source === undefined ? {} : { source: m.source }),
    })),
  }
}

/** Reads and checks every model file (throws ERR_DRV_REGISTRY_INVALID listing every problem). */
export function loadDefinitions(dir: string = MODELS_DIR): DeviceDefinition[] {
  const files = readModelFiles(dir)
  const problems = modelFileProblems(files, dir)
  if (problems.length > 0) {
    throw new AppError(RegistryErrorCodes.invalid, `invalid device registry:\n- ${problems.join('\n- ')}`, {
      context: { problems },
    })
  }
  return files.map((f) => toDefinition(f.json))
}
