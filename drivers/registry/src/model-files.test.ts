import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isAppError } from '@drivers/core'
import { afterEach, describe, expect, it } from 'vitest'
import { allDefinitions } from './definitions.ts'
import { loadDefinitions, MODELS_DIR, modelFileProblems, readModelFiles } from './load-models.ts'
import { definitionProblems, usbKey, validateDefinitions } from './validate.ts'

describe('model files (drivers/registry/models/<vendor>/<model>.json)', () => {
  const files = readModelFiles()

  it('every file validates against model.schema.json and is named for its id', () => {
    expect(files.length).toBeGreaterThanOrEqual(17)
    expect(modelFileProblems(files)).toEqual([])
  })

  it('every definition passes the cross-field rules, and ids and USB matchers are unique registry-wide', () => {
    for (const def of allDefinitions) expect(definitionProblems(def)).toEqual([])
    expect(() => validateDefinitions(allDefinitions)).not.toThrow()
    const keys = allDefinitions.flatMap((d) => d.match.map((m) => usbKey(m.usbVendorId, m.usbProductId)))
    expect(new Set(keys).size).toBe(keys.length)
    expect(new Set(allDefinitions.map((d) => d.id)).size).toBe(allDefinitions.length)
  })

  it('turns hex USB ids into numbers and keeps where they come from', () => {
    const tm = allDefinitions.find((d) => d.id === 'epson-tm-t88v')
    expect(tm?.match[0]).toMatchObject({ usbVendorId: 0x04b8, usbProductId: 0x0202 })
    expect(tm?.match[0]?.source).toMatch(/odoo/)
    expect(Object.keys(tm ?? {})).not.toContain('$schema')
  })

  describe('a folder with bad files', () => {
    let dir: string | undefined
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    const withFiles = (entries: Record<string, unknown>): string => {
      dir = mkdtempSync(join(tmpdir(), 'models-'))
      writeFileSync(join(dir, 'model.schema.json'), readFileSync(join(MODELS_DIR, 'model.schema.json')))
      for (const [file, json] of Object.entries(entries)) {
        mkdirSync(join(dir, file.split('/')[0] as string), { recursive: true })
        writeFileSync(join(dir, file), typeof json === 'string' ? json : JSON.stringify(json))
      }
      return dir
    }

    it('lists every schema problem and every misnamed file, with the file', () => {
      const good = JSON.parse(readFileSync(join(MODELS_DIR, 'generic/sam-v-uart.json'), 'utf8')) as Record<
        string,
        unknown
      >
      const folder = withFiles({
        'acme/reader.json': { ...good, id: 'acme-reader', transport: 'carrier-pigeon', sparkle: 1 },
        'acme/other.json': { ...good, id: 'acme-something-else' },
        'acme/usb.json': { ...good, id: 'acme-usb', match: [{ usbVendorId: 1, usbProductId: '0x0001' }] },
      })
      const problems = modelFileProblems(readModelFiles(folder), folder).join('\n')
      expect(problems).toMatch(/acme\/reader\.json: \/transport must be equal to one of the allowed values/)
      expect(problems).toMatch(/acme\/reader\.json: \/ must NOT have additional properties \(sparkle\)/)
      expect(problems).toMatch(/acme\/other\.json: id acme-something-else must be acme-other/)
      expect(problems).toMatch(/acme\/usb\.json: \/match\/0\/usbVendorId must be string/)
      expect(() => loadDefinitions(folder)).toThrow(/invalid device registry/)
    })

    it('a file that is not JSON is a registry error naming it', () => {
      const folder = withFiles({ 'acme/broken.json': '{"id": ' })
      const error = (() => {
        try {
          readModelFiles(folder)
        } catch (e) {
          return e
        }
        return undefined
      })()
      expect(isAppError(error, 'ERR_DRV_REGISTRY_INVALID')).toBe(true)
      expect((error as Error).message).toMatch(/acme\/broken\.json is not JSON/)
    })
  })
})
