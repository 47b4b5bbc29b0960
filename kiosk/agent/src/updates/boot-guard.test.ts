import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AbInstaller } from './ab-installer.ts'
import { rollBackReleaseThatCannotStart } from './boot-guard.ts'
import { appUpdateRecord } from './test-records.ts'
import { FileUpdateStateStore, type UpdateRecord } from './update-state-store.ts'

let root: string
let paths: { releasesDir: string; stateDir: string; baseVersion: string }

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'boot-guard-'))
  paths = { releasesDir: join(root, 'app'), stateDir: join(root, 'updates'), baseVersion: '0.9.0' }
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

/** Releases 1.0.0 then 2.0.0 installed and switched to, as the update agent leaves them before restarting. */
async function switchedTo2(
  state: UpdateRecord['state'],
  kind: 'app' | 'config' = 'app',
): Promise<FileUpdateStateStore> {
  const installer = new AbInstaller({
    root: paths.releasesDir,
    unpack: async (staged, dir) => writeFileSync(join(dir, 'VERSION'), readFileSync(staged, 'utf8')),
  })
  for (const version of ['1.0.0', '2.0.0']) {
    const staged = join(root, `${version}.tar`)
    writeFileSync(staged, version)
    await installer.install(version, staged)
    installer.switchTo(version)
  }
  const store = new FileUpdateStateStore(join(paths.stateDir, 'state.json'))
  await store.save(appUpdateRecord('2.0.0', state, '1.0.0', kind))
  return store
}

const running = () => readFileSync(join(paths.releasesDir, 'current', 'VERSION'), 'utf8')

describe('rollBackReleaseThatCannotStart', () => {
  it('points current back at the previous release and leaves a rolled-back record to report', async () => {
    const store = await switchedTo2('healthCheck')
    expect(running()).toBe('2.0.0')
    expect(await rollBackReleaseThatCannotStart(paths, 5)).toEqual({ rolledBack: true, from: '2.0.0', to: '1.0.0' })
    expect(running()).toBe('1.0.0')
    expect(store.load()).toMatchObject({
      state: 'rolledBack',
      errorCode: 'ERR_KIOSK_UPDATE_CRASH_LOOP',
      reported: false,
      updatedAt: 5,
    })
  })

  it('touches nothing when no release is on trial: a crash of a committed release is not the update’s fault', async () => {
    const store = await switchedTo2('committed')
    expect(await rollBackReleaseThatCannotStart(paths)).toEqual({ rolledBack: false, reason: 'noUpdateOnTrial' })
    expect(running()).toBe('2.0.0')
    expect(store.load()?.state).toBe('committed')
  })

  it('leaves firmware and config deployments to the agent, and a kiosk with no update record alone', async () => {
    await switchedTo2('rebooting', 'config')
    expect(await rollBackReleaseThatCannotStart(paths)).toMatchObject({ rolledBack: false })
    expect(running()).toBe('2.0.0')
    rmSync(paths.stateDir, { recursive: true })
    expect(await rollBackReleaseThatCannotStart(paths)).toEqual({ rolledBack: false, reason: 'noUpdateOnTrial' })
  })

  it('goes back to the image’s own version when the first release cannot start: no current at all', async () => {
    const installer = new AbInstaller({
      root: paths.releasesDir,
      unpack: async (staged, dir) => writeFileSync(join(dir, 'VERSION'), readFileSync(staged, 'utf8')),
    })
    const staged = join(root, '1.0.0.tar')
    writeFileSync(staged, '1.0.0')
    await installer.install('1.0.0', staged)
    installer.switchTo('1.0.0')
    const store = new FileUpdateStateStore(join(paths.stateDir, 'state.json'))
    await store.save(appUpdateRecord('1.0.0', 'rebooting', '0.9.0'))
    expect(await rollBackReleaseThatCannotStart(paths, 7)).toEqual({ rolledBack: true, from: '1.0.0', to: '0.9.0' })
    expect(installer.currentVersion()).toBeUndefined()
    expect(store.load()).toMatchObject({ state: 'rolledBack', errorCode: 'ERR_KIOSK_UPDATE_CRASH_LOOP' })
  })
})
