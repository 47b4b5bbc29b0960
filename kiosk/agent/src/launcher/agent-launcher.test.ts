import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AbInstaller } from '../updates/ab-installer.ts'
import { appUpdateRecord } from '../updates/test-records.ts'
import { FileUpdateStateStore } from '../updates/update-state-store.ts'
import { AgentLauncher } from './agent-launcher.ts'

// Real agents here are tiny node scripts; each start writes a line to runs.log, so the test sees
// which entry ran, in which order.
let root: string
let runsLog: string
let paths: { releasesDir: string; stateDir: string; baseVersion: string }
let launcher: AgentLauncher | undefined

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'launcher-'))
  runsLog = join(root, 'runs.log')
  paths = { releasesDir: join(root, 'app'), stateDir: join(root, 'updates'), baseVersion: '0.9.0' }
})
afterEach(() => {
  launcher?.stop()
  launcher = undefined
  rmSync(root, { recursive: true, force: true })
})

const runs = () => (existsSync(runsLog) ? readFileSync(runsLog, 'utf8').trim().split('\n') : [])

/** A script that logs `name` when it starts, then does `then`. */
function script(file: string, name: string, then: string): string {
  writeFileSync(
    file,
    `import { appendFileSync, readFileSync } from 'node:fs'
const log = ${JSON.stringify(runsLog)}
appendFileSync(log, ${JSON.stringify(name)} + '\\n')
process.on('SIGTERM', () => { appendFileSync(log, 'stopped\\n'); process.exit(0) })
${then}
`,
  )
  return file
}
const STAY = 'setInterval(() => {}, 1000)'

/** Releases installed as the update agent leaves them: `main` is the entry the launcher runs. */
async function release(version: string, behaviour: string): Promise<void> {
  const ab = new AbInstaller({
    root: paths.releasesDir,
    unpack: async (_staged, dir) => {
      writeFileSync(join(dir, 'release.json'), JSON.stringify({ version, main: 'agent.mjs' }))
      script(join(dir, 'agent.mjs'), `release ${version}`, behaviour)
    },
  })
  await ab.install(version, 'unused')
  ab.switchTo(version)
}

function start(baseBehaviour: string, options: Partial<ConstructorParameters<typeof AgentLauncher>[0]> = {}) {
  mkdirSync(root, { recursive: true })
  launcher = new AgentLauncher({
    paths,
    baseEntry: script(join(root, 'base.mjs'), 'image', baseBehaviour),
    agentArgs: [],
    restartDelayMs: { min: 20, max: 100 },
    logger: pino({ level: 'silent' }),
    ...options,
  })
  return launcher.run()
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; runs: ${runs().join(', ')}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('AgentLauncher', { timeout: 60_000 }, () => {
  it("runs the image's agent until a release with a main is current, and that release's entry then", async () => {
    const noRelease = new AgentLauncher({
      paths,
      baseEntry: '/image/main.ts',
      agentArgs: [],
      logger: pino({ level: 'silent' }),
    })
    expect(noRelease.entry()).toEqual({ entry: '/image/main.ts', release: undefined })
    await release('1.0.0', STAY)
    expect(noRelease.entry()).toEqual({ entry: join(paths.releasesDir, 'current', 'agent.mjs'), release: '1.0.0' })
  })

  it('starts the agent again at once when it asks (75), and stops it with SIGTERM', async () => {
    // The first run asks for a restart, the second stays.
    const done = start(`if (readFileSync(log, 'utf8').trim().split('\\n').length === 1) process.exit(75)
${STAY}`)
    await until('two runs', () => runs().length >= 2)
    launcher?.stop()
    expect(await done).toBe(0)
    expect(runs()).toEqual(['image', 'image', 'stopped'])
  })

  it('rolls back a release on trial that keeps crashing, then runs the previous release', async () => {
    await release('1.0.0', STAY)
    await release('2.0.0', 'process.exit(1)')
    const store = new FileUpdateStateStore(join(paths.stateDir, 'state.json'))
    await store.save(appUpdateRecord('2.0.0', 'rebooting', '1.0.0'))
    const done = start(STAY, { maxTrialCrashes: 3 })
    await until('the previous release', () => runs().includes('release 1.0.0'))
    expect(runs()).toEqual(['release 2.0.0', 'release 2.0.0', 'release 2.0.0', 'release 1.0.0'])
    expect(store.load()).toMatchObject({ state: 'rolledBack', errorCode: 'ERR_KIOSK_UPDATE_CRASH_LOOP' })
    launcher?.stop()
    expect(await done).toBe(0)
  })

  it('restarts a crashing agent with backoff and touches no release when none is on trial', async () => {
    await release('1.0.0', 'process.exit(3)')
    const done = start(STAY)
    await until('four runs', () => runs().length >= 4)
    launcher?.stop()
    expect(await done).toBe(0)
    expect(new Set(runs().filter((r) => r !== 'stopped'))).toEqual(new Set(['release 1.0.0']))
    expect(launcher?.entry().release).toBe('1.0.0')
    expect(existsSync(join(paths.stateDir, 'state.json'))).toBe(false)
  })
})
