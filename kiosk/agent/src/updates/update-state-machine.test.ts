import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AppError } from '@drivers/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AbInstaller } from './ab-installer.ts'
import { UpdateErrorCodes } from './update-errors.ts'
import { type UpdateReport, UpdateStateMachine } from './update-state-machine.ts'
import { FileUpdateStateStore, type UpdateRecord, type UpdateStateStore } from './update-state-store.ts'

const ARTIFACT = { version: '2.0.0', target: 'kiosk-app/2.0.0.tar' }
const OLD = '1.0.0'

let root: string

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'update-sm-'))
  const ab = new AbInstaller({ root, unpack: unpackRelease(async () => undefined) })
  writeFileSync(join(root, 'old.tar'), OLD)
  await ab.install(OLD, join(root, 'old.tar'))
  ab.switchTo(OLD)
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

/** Unpacks `VERSION` and `app.js`, with a crash point between the two files. */
function unpackRelease(point: () => Promise<void>) {
  return async (staged: string, dir: string): Promise<void> => {
    writeFileSync(join(dir, 'VERSION'), readFileSync(staged, 'utf8'))
    await point()
    writeFileSync(join(dir, 'app.js'), 'main()')
  }
}

/** `current` must always lead to a complete release (old or new). */
function runningVersion(): string {
  expect(existsSync(join(root, 'current', 'app.js'))).toBe(true)
  return readFileSync(join(root, 'current', 'VERSION'), 'utf8')
}

const never = new Promise<never>(() => undefined)

interface World {
  /** Global step counter across lives; power is cut when it reaches crashAt. */
  steps: number
  crashAt: number | undefined
  reports: UpdateReport[]
  /** Health of the new release: true, false, or 'crash' (it dies while being checked). */
  health: boolean | 'crash'
  downloadError?: Error
  verifyError?: Error
}

type LifeEnd = 'crash' | 'restart'

/** One boot of the agent: a machine built from what is on disk, whose world can halt it for good. */
function life(world: World): { machine: UpdateStateMachine; ended: Promise<LifeEnd> } {
  let end: (why: LifeEnd) => void = () => undefined
  const ended = new Promise<LifeEnd>((resolve) => {
    end = resolve
  })
  const point = async (): Promise<void> => {
    world.steps++
    if (world.steps === world.crashAt) {
      end('crash')
      return never
    }
  }
  const files = new FileUpdateStateStore(join(root, 'state', 'update.json'))
  const store: UpdateStateStore = {
    load: () => files.load(),
    save: async (record: UpdateRecord) => {
      await point()
      await files.save(record)
      await point()
    },
  }
  const installer = new AbInstaller({ root, unpack: unpackRelease(point) })
  const machine = new UpdateStateMachine({
    store,
    installer,
    download: async (artifact, onProgress) => {
      await point()
      if (world.downloadError) throw world.downloadError
      const path = join(root, 'download.tar')
      writeFileSync(path, artifact.version)
      onProgress(0.5)
      await point()
      return path
    },
    verify: async (artifact, staged) => {
      await point()
      if (world.verifyError) throw world.verifyError
      expect(readFileSync(staged, 'utf8')).toBe(artifact.version)
    },
    waitForGate: point,
    restart: async () => {
      await point()
      end('restart')
      return never
    },
    healthCheck: async (version) => {
      await point()
      if (world.health === 'crash') {
        end('crash')
        return never
      }
      expect(version).toBe(runningVersion())
      return world.health
    },
    report: (r) => {
      // Persisted before published: the record on disk is already in the reported state.
      if (r.phase !== 'downloading' || r.progress === 0) expect(files.load()?.state).toBe(r.phase)
      world.reports.push(r)
    },
    now: () => 1_700_000_000_000 + world.steps,
  })
  return { machine, ended }
}

/**
 * Starts the deployment, then boots again after every crash or restart until a terminal state. A
 * boot that finds no record of the deployment (power lost before its first write) is handed the
 * deployment again, as the fleet re-sends it until the kiosk reports.
 */
async function runToEnd(world: World): Promise<{ record: UpdateRecord; lives: number }> {
  let lives = 1
  let { machine, ended } = life(world)
  let outcome: UpdateRecord | LifeEnd | undefined = await Promise.race([machine.start('dep-1', ARTIFACT), ended])
  while (typeof outcome === 'string') {
    runningVersion()
    lives++
    if (lives > 20) throw new Error('did not settle')
    ;({ machine, ended } = life(world))
    const resumed = machine.record === undefined ? machine.start('dep-1', ARTIFACT) : machine.resume()
    outcome = await Promise.race([resumed, ended])
  }
  if (outcome === undefined) throw new Error('no record')
  return { record: outcome, lives }
}

function newWorld(patch: Partial<World> = {}): World {
  return { steps: 0, crashAt: undefined, reports: [], health: true, ...patch }
}

describe('UpdateStateMachine', () => {
  it('downloads, verifies, waits, installs, restarts, checks health and commits', async () => {
    const world = newWorld()
    const { record, lives } = await runToEnd(world)
    expect(lives).toBe(2)
    expect(record?.state).toBe('committed')
    expect(runningVersion()).toBe('2.0.0')
    expect(world.reports.map((r) => [r.state, r.phase, r.progress])).toEqual([
      ['downloading', 'downloading', 0],
      ['downloading', 'downloading', 0.5],
      ['downloading', 'verifying', 1],
      ['downloaded', 'awaitingGate', 1],
      ['installing', 'installing', undefined],
      ['rebooting', 'rebooting', undefined],
      // The boot after the restart publishes the persisted state again before going on.
      ['rebooting', 'rebooting', undefined],
      ['rebooting', 'healthCheck', undefined],
      ['success', 'committed', undefined],
    ])
    expect(new AbInstaller({ root, unpack: async () => undefined }).previousVersion()).toBe(OLD)
  })

  it('rolls back by itself when the new release fails its health check', async () => {
    const world = newWorld({ health: false })
    const { record } = await runToEnd(world)
    expect(record).toMatchObject({ state: 'rolledBack', errorCode: UpdateErrorCodes.healthCheckFailed })
    expect(runningVersion()).toBe(OLD)
    expect(world.reports.slice(-2)).toEqual([
      { deploymentId: 'dep-1', state: 'failure', phase: 'rollingBack', errorCode: UpdateErrorCodes.healthCheckFailed },
      {
        deploymentId: 'dep-1',
        state: 'rolledBack',
        phase: 'rolledBack',
        errorCode: UpdateErrorCodes.healthCheckFailed,
      },
    ])
  })

  it('rolls back when the new release crash-loops during its health check', async () => {
    const world = newWorld({ health: 'crash' })
    const { record, lives } = await runToEnd(world)
    expect(record).toMatchObject({ state: 'rolledBack', errorCode: UpdateErrorCodes.crashLoop })
    expect(runningVersion()).toBe(OLD)
    // Boot 1 installs and restarts; boots 2–4 die in the health check; boot 5 finds the loop,
    // rolls back and restarts; boot 6 runs the old release.
    expect(lives).toBe(6)
  })

  it('fails without touching the pointer when the download fails', async () => {
    const world = newWorld({ downloadError: new Error('network down') })
    const { record } = await runToEnd(world)
    expect(record).toMatchObject({ state: 'failed', errorCode: UpdateErrorCodes.downloadFailed })
    expect(runningVersion()).toBe(OLD)
    expect(world.reports.at(-1)).toMatchObject({ state: 'failure', errorCode: UpdateErrorCodes.downloadFailed })
  })

  it('reports the verifier’s own error code when verification refuses the artifact', async () => {
    const world = newWorld({ verifyError: new AppError('ERR_KIOSK_UPDATE_TARGET_MISMATCH', 'hash differs') })
    const { record } = await runToEnd(world)
    expect(record).toMatchObject({ state: 'failed', errorCode: 'ERR_KIOSK_UPDATE_TARGET_MISMATCH' })
    expect(runningVersion()).toBe(OLD)
  })

  it('refuses a second deployment while one is in progress', async () => {
    const world = newWorld({ crashAt: 12 })
    const { machine, ended } = life(world)
    await Promise.race([machine.start('dep-1', ARTIFACT), ended])
    const again = life(newWorld()).machine
    await expect(again.start('dep-2', ARTIFACT)).rejects.toMatchObject({ code: UpdateErrorCodes.busy })
  })

  it('accepts the next deployment once the previous one ended', async () => {
    await runToEnd(newWorld())
    const world = newWorld()
    const { machine, ended } = life(world)
    const outcome = await Promise.race([machine.start('dep-2', { version: '3.0.0', target: 'x' }), ended])
    expect(outcome).toBe('restart')
    expect(world.reports[0]).toMatchObject({ deploymentId: 'dep-2', state: 'downloading' })
  })

  it('refuses a state file it cannot trust', () => {
    const store = new FileUpdateStateStore(join(root, 'state', 'update.json'))
    writeFileSync(join(root, 'state', 'update.json'), JSON.stringify({ schemaVersion: 99 }))
    expect(() => store.load()).toThrow(expect.objectContaining({ code: UpdateErrorCodes.stateCorrupt }))
    writeFileSync(join(root, 'state', 'update.json'), '{"sche')
    expect(() => store.load()).toThrow(expect.objectContaining({ code: UpdateErrorCodes.stateCorrupt }))
  })

  describe('power loss at every step', () => {
    const CASES = [
      {
        health: true,
        name: 'a healthy release ends committed',
        state: 'committed',
        version: '2.0.0',
        report: 'success',
      },
      {
        health: false,
        name: 'an unhealthy release ends rolled back',
        state: 'rolledBack',
        version: OLD,
        report: 'rolledBack',
      },
      {
        health: 'crash',
        name: 'a crash-looping release ends rolled back',
        state: 'rolledBack',
        version: OLD,
        report: 'rolledBack',
      },
    ] as const

    for (const c of CASES) {
      it(`${c.name} whichever step loses power, and current is never broken`, async () => {
        const clean = newWorld({ health: c.health })
        await runToEnd(clean)
        const total = clean.steps
        expect(total).toBeGreaterThan(15)
        for (let crashAt = 1; crashAt <= total; crashAt++) {
          rmSync(join(root, 'state'), { recursive: true, force: true })
          const fresh = new AbInstaller({ root, unpack: async () => undefined })
          fresh.rollbackTo(OLD)
          fresh.gc()
          const world = newWorld({ health: c.health, crashAt })
          const { record } = await runToEnd(world)
          expect(world.steps).toBeGreaterThanOrEqual(crashAt)
          expect(record.state, `power lost at step ${crashAt}`).toBe(c.state)
          expect(runningVersion()).toBe(c.version)
          expect(world.reports.at(-1)?.state).toBe(c.report)
        }
      })
    }
  })
})
