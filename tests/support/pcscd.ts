import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stopChild } from './stop-child.ts'

export interface Pcscd {
  /** The vpcd reader's TCP port: a VpcdCard connects here to insert its card. */
  vpcdPort: number
  /** Reader name prefix as pcscd reports it (`Kiosk Virtual PCD 00 00`). */
  readerName: string
  log(): string
  /** Stops the daemon (as a crash or an update would) and starts it again on the same port, keeping the lock. */
  restart(): Promise<void>
  close(): Promise<void>
}

const PCSCD = '/usr/sbin/pcscd'
const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so'
const PID_FILE = '/run/pcscd/pcscd.pid'
const LOCK_DIR = join(tmpdir(), 'kiosk-pcscd.lock')

async function portPairFree(port: number): Promise<boolean> {
  for (const p of [port, port + 1]) {
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer()
      s.once('error', () => resolve(false))
      s.listen(p, '127.0.0.1', () => s.close(() => resolve(true)))
    })
    if (!free) return false
  }
  return true
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** pcscd's socket is compiled in (/run/pcscd/pcscd.comm), so one test pcscd at a time: a lock dir. */
async function lock(waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs
  for (;;) {
    try {
      mkdirSync(LOCK_DIR)
      writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid))
      return
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const owner = Number(readFileSync(join(LOCK_DIR, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0)
      if (owner && !alive(owner)) rmSync(LOCK_DIR, { recursive: true, force: true })
      if (Date.now() > deadline) throw new Error(`another test holds the pcscd lock ${LOCK_DIR}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

/**
 * A private pcscd in the foreground with only a vsmartcard-vpcd reader on a free port: its own
 * reader.conf.d (`-c`), no USB hotplug readers, no edits under /etc. Debian's pcscd 1.9.9 has its
 * socket path compiled in (the daemon ignores PCSCLITE_CSOCK_NAME), so a system pcscd that is
 * already running is a loud failure, and test files take a lock to run one at a time (waiting up to
 * `lockWaitMs`, default 60 s; the demo holds it while it runs).
 *
 * The vpcd reader has two slots: "Kiosk Virtual PCD 00 00" on `vpcdPort`, "… 00 01" on `vpcdPort + 1`.
 */
export async function startPcscd(options: { lockWaitMs?: number } = {}): Promise<Pcscd> {
  for (const [path, pkg] of [
    [PCSCD, 'pcscd'],
    [VPCD_DRIVER, 'vsmartcard-vpcd'],
  ] as const) {
    if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install ${pkg} (scripts/ensure-system.sh)`)
  }
  await lock(options.lockWaitMs ?? 60_000)
  try {
    if (existsSync(PID_FILE)) {
      const pid = Number(readFileSync(PID_FILE, 'utf8').trim())
      if (pid && alive(pid)) {
        throw new Error(`a pcscd (pid ${pid}) is already running; stop it (systemctl stop pcscd.socket pcscd) first`)
      }
    }
    let port = 0
    for (let tries = 0; tries < 50 && port === 0; tries++) {
      const candidate = 36000 + Math.floor(Math.random() * 20000)
      if (await portPairFree(candidate)) port = candidate
    }
    if (port === 0) throw new Error('no free port pair for vpcd')
    const confDir = mkdtempSync(join(tmpdir(), 'pcscd-conf-'))
    const readerName = 'Kiosk Virtual PCD'
    writeFileSync(
      join(confDir, 'vpcd'),
      `FRIENDLYNAME "${readerName}"\nDEVICENAME /dev/null:0x${port.toString(16)}\nLIBPATH ${VPCD_DRIVER}\nCHANNELID 0x${port.toString(16)}\n`,
    )
    let output = ''
    const launch = async (): Promise<ChildProcess> => {
      const child = spawn(PCSCD, ['--foreground', '--info', '-c', confDir], { stdio: ['ignore', 'pipe', 'pipe'] })
      const mark = output.length
      child.stdout?.on('data', (c: Buffer) => {
        output += c.toString()
      })
      child.stderr?.on('data', (c: Buffer) => {
        output += c.toString()
      })
      const deadline = Date.now() + 10_000
      for (;;) {
        const since = output.slice(mark)
        if (since.includes('daemon ready') && since.includes(`port ${port}`)) return child
        if (child.exitCode !== null) throw new Error(`pcscd exited with ${child.exitCode}: ${output}`)
        if (Date.now() > deadline) {
          child.kill('SIGKILL')
          throw new Error(`pcscd did not get ready in 10 s: ${output}`)
        }
        await new Promise((r) => setTimeout(r, 50))
      }
    }
    let child = await launch()
    return {
      vpcdPort: port,
      readerName,
      log: () => output,
      async restart() {
        await stopChild(child)
        child = await launch()
      },
      async close() {
        await stopChild(child)
        rmSync(confDir, { recursive: true, force: true })
        rmSync(LOCK_DIR, { recursive: true, force: true })
      },
    }
  } catch (err) {
    rmSync(LOCK_DIR, { recursive: true, force: true })
    throw err
  }
}
