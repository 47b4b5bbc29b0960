import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isAppError } from '@drivers/core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  CommandNotFoundError,
  type ProcessOutcome,
  type ProcessRunner,
  type RunOptions,
  spawnProcess,
} from './process-runner.ts'
import { SaneScanner } from './sane-scanner.ts'

/** A scripted SANE frontend: the service's ProcessRunner seam, injected (no module mocking). */
function scripted(behaviour: (args: readonly string[], options: RunOptions) => Promise<ProcessOutcome>): ProcessRunner {
  return (_command, args, options) => behaviour(args, options)
}

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('SaneScanner (scripted frontend)', () => {
  it('writes, reports and counts an ADF batch that ends when the feeder empties', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sane-unit-'))
    dirs.push(dir)
    const runner = scripted(async (args, o) => {
      const pattern = args.find((a) => a.startsWith('--batch='))!.slice(8)
      for (const n of [1, 2]) {
        writeFileSync(pattern.replace('%d', String(n)), 'png')
        o.onStderrLine?.(`Scanned page ${n}. (scanner status = 5)`)
      }
      return {
        exitCode: 0,
        signal: null,
        stdout: '',
        stderr: 'scanimage: sane_start: Document feeder out of documents\n',
      }
    })
    const scanner = new SaneScanner({ device: 'test:0', runner })
    const pages: string[] = []
    scanner.on('pageScanned', (p) => pages.push(p.path))
    const result = await scanner.scan(join(dir, 'p-%d.png'), { source: 'adf' })
    expect(result).toMatchObject({ ok: true, value: { pages: [{ bytes: 3 }, { bytes: 3 }] } })
    expect(pages).toHaveLength(2)
    expect(scanner.getCounters()).toMatchObject({ scans: 1, pages: 2 })
  })

  it('refuses a second scan while one runs, and cancel ends the first as canceled', async () => {
    const runner = scripted(
      (_args, o) =>
        new Promise((resolve) => {
          o.signal?.addEventListener('abort', () =>
            resolve({ exitCode: 0, signal: null, stdout: '', stderr: 'scanimage: received signal 2\n' }),
          )
        }),
    )
    const scanner = new SaneScanner({ device: 'test:0', runner })
    const first = scanner.scan('/nonexistent/p.png')
    expect(scanner.getStatus().state).toBe('busy')
    const second = await scanner.scan('/nonexistent/q.png').catch((e: unknown) => e)
    expect(isAppError(second, 'ERR_DRV_SANE_BUSY')).toBe(true)
    scanner.cancel()
    expect(await first).toMatchObject({ ok: false, error: { code: 'canceled', detail: 'canceled' } })
    expect(scanner.getStatus()).toEqual({ state: 'online' })
  })

  it('stops a scanimage that printed its failure but never exits, and reports that failure', async () => {
    let signalled: string | undefined
    const runner = scripted(
      (_args, o) =>
        new Promise((resolve) => {
          o.onStderrLine?.('scanimage: sane_read: Document feeder jammed')
          // Hung, as the test backend sometimes is: only the abort ends it.
          o.signal?.addEventListener('abort', () => {
            signalled = 'SIGINT'
            resolve({
              exitCode: null,
              signal: 'SIGKILL',
              stdout: '',
              stderr: 'scanimage: sane_read: Document feeder jammed\n',
            })
          })
        }),
    )
    const scanner = new SaneScanner({ device: 'test:0', runner, exitGraceMs: 20 })
    const result = await scanner.scan(join(tmpdir(), 'never.png'), {})
    expect(signalled).toBe('SIGINT')
    expect(result).toMatchObject({ ok: false, error: { code: 'hardwareError', detail: 'mediaJam' } })
    expect(scanner.getStatus()).toMatchObject({ state: 'userError', media: 'jammed' })
    expect(scanner.getCounters()).toMatchObject({ scansFailed: 1, canceled: 0 })
  })

  it('an outer AbortSignal cancels too', async () => {
    const runner = scripted(
      (_args, o) =>
        new Promise((resolve) => {
          if (o.signal?.aborted) resolve({ exitCode: 2, signal: null, stdout: '', stderr: '' })
        }),
    )
    const controller = new AbortController()
    controller.abort()
    const scanner = new SaneScanner({ device: 'test:0', runner })
    expect(await scanner.scan('/nonexistent/p.png', { signal: controller.signal })).toMatchObject({
      ok: false,
      error: { code: 'canceled' },
    })
  })

  it('names the Debian package when scanimage is missing', async () => {
    const scanner = new SaneScanner({ device: 'test:0', scanimage: '/nonexistent/scanimage', runner: spawnProcess })
    const error = await scanner.listDevices().catch((e: unknown) => e)
    expect(isAppError(error, 'ERR_DRV_SANE_UNAVAILABLE')).toBe(true)
    expect((error as Error).message).toContain('sane-utils')
    expect(new CommandNotFoundError('x').command).toBe('x')
    expect(() => new SaneScanner({ device: '' })).toThrow(/device/)
  })

  it('a scan that exits 0 without writing a page is an I/O failure, not success', async () => {
    const runner = scripted(async () => ({ exitCode: 0, signal: null, stdout: '', stderr: '' }))
    const scanner = new SaneScanner({ device: 'test:0', runner })
    expect(await scanner.scan('/nonexistent/p.png')).toMatchObject({ ok: false, error: { detail: 'ioError' } })
  })
})
