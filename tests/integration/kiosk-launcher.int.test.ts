import { spawnSync } from 'node:child_process'
import { existsSync, lstatSync, mkdtempSync, readlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { LauncherProcess } from '../support/kiosk-process.ts'
import { useKioskProcessTestbed } from '../support/kiosk-process-testbed.ts'
import { releaseTarball } from '../support/updatable-kiosk.ts'
import { waitFor } from '../support/wait-for.ts'

const AGENT_MAIN = pathToFileURL(join(import.meta.dirname, '../../kiosk/agent/src/main.ts')).href
/** A release whose own entry starts the agent (as a real release's built agent would). */
const WORKING = `await import(${JSON.stringify(AGENT_MAIN)})\n`
/** A release that cannot even load: it never reaches the health check that would roll it back. */
const BROKEN = `throw new Error('this release cannot load')\n`

const testbed = useKioskProcessTestbed()

describe('the kiosk launcher runs the current release and rolls back one that cannot start', () => {
  it('a first release that cannot load goes back to the image; a working one runs; a later broken one goes back to it', async () => {
    const kioskId = 'launch-01'
    const { configFile, config } = testbed.kioskConfig(kioskId, { log: { level: 'info' } })
    const appDir = join(config.dataDir, 'app')
    const launcher = new LauncherProcess(configFile)

    const update = async (deploymentId: string, version: string, agentSource: string) => {
      const target = await testbed.repo.addApp(version, await releaseTarball(version, 64 * 1024, agentSource))
      await testbed.updateApp(kioskId, deploymentId, target, version)
      return waitFor(
        `${deploymentId} ends`,
        () => testbed.reports(kioskId, deploymentId).find((r) => r.state === 'success' || r.state === 'rolledBack'),
        120_000,
      )
    }
    const started = () =>
      launcher.launcherLogs().filter((r) => r.msg === 'starting the agent') as unknown as Array<{
        release: string
        entry: string
      }>

    try {
      await testbed.waitOnline(kioskId)
      expect(started()[0]?.release).toBe('image')

      // 1. The first release cannot load: three crashes on trial, then back to the image's own agent.
      const first = await update('dep-l1', '2.5.0', BROKEN)
      expect(first).toMatchObject({ state: 'rolledBack', errorCode: 'ERR_KIOSK_UPDATE_CRASH_LOOP' })
      expect(existsSync(join(appDir, 'current'))).toBe(false)
      expect(await testbed.appVersion(kioskId)).toBe(config.appVersion)
      expect(started().filter((r) => r.release === '2.5.0')).toHaveLength(3)
      expect(launcher.launcherLogs().some((r) => r.msg.includes('rolled back'))).toBe(true)

      // 2. A working release runs from its own entry.
      expect(await update('dep-l2', '2.6.0', WORKING)).toMatchObject({ state: 'success', version: '2.6.0' })
      expect(await testbed.appVersion(kioskId)).toBe('2.6.0')
      expect(started().at(-1)).toMatchObject({ release: '2.6.0', entry: join(appDir, 'current', 'agent.mjs') })

      // 3. A later broken release goes back to the working one, not to the image.
      const third = await update('dep-l3', '2.7.0', BROKEN)
      expect(third).toMatchObject({ state: 'rolledBack', errorCode: 'ERR_KIOSK_UPDATE_CRASH_LOOP', version: '2.6.0' })
      expect(lstatSync(join(appDir, 'current')).isSymbolicLink()).toBe(true)
      expect(readlinkSync(join(appDir, 'current'))).toBe('releases/2.6.0')
      expect(await testbed.appVersion(kioskId)).toBe('2.6.0')

      // systemctl stop: the launcher stops its agent cleanly and exits 0.
      expect(await launcher.stop()).toBe(0)
      await waitFor(
        'kiosk offline',
        async () => (await testbed.stack.api<{ state?: string }>(`/api/kiosks/${kioskId}`)).state === 'offline',
        30_000,
      )
    } finally {
      launcher.killGroup()
    }
  }, 300_000)

  it('the launcher and the agent exit 2 with the reason when the config is unusable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-bad-conf-'))
    writeFileSync(join(dir, 'kiosk.json'), JSON.stringify({ kioskId: 'x' }))
    const programs: Array<[string, string]> = [
      ['kiosk-launcher', 'kiosk/agent/src/launcher-main.ts'],
      ['kiosk-agent', 'kiosk/agent/src/main.ts'],
    ]
    for (const [program, entry] of programs) {
      const run = spawnSync(process.execPath, ['--import', 'tsx', entry, '--config', join(dir, 'kiosk.json')], {
        cwd: join(import.meta.dirname, '../..'),
        encoding: 'utf8',
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KIOSK_'))),
      })
      expect(run.status, run.stderr).toBe(2)
      expect(run.stderr).toMatch(new RegExp(`^${program}: `))
    }
  })
})
