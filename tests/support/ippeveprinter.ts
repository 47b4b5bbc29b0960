import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port.ts'
import { stopChild } from './stop-child.ts'

/** Debian puts ippeveprinter in /usr/sbin, which is not on every PATH. */
const CANDIDATES = ['/usr/sbin/ippeveprinter', '/usr/bin/ippeveprinter']

export interface IppEvePrinter {
  url: string
  spoolDir: string
  /** Files the printer stored, e.g. `1-certificate.pdf`. */
  spooled(): string[]
  close(): Promise<void>
}

function findBinary(): string {
  const found = CANDIDATES.find((p) => existsSync(p))
  if (found) return found
  try {
    return execFileSync('sh', ['-c', 'command -v ippeveprinter'], { encoding: 'utf8' }).trim()
  } catch (err) {
    throw new Error('ippeveprinter is missing: apt-get install cups-ipp-utils (Debian package)', { cause: err })
  }
}

async function listening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`ippeveprinter exited with ${child.exitCode}: ${log()}`)
    // Connect, never bind: a probe that binds the port itself can take it from ippeveprinter while it starts.
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1')
      s.once('connect', () => s.end(() => resolve(true)))
      s.once('error', () => resolve(false))
    })
    if (up) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`ippeveprinter did not listen on ${port} within 10 s: ${log()}`)
}

interface PrivateBus {
  address: string
  stop(): Promise<void>
}

/**
 * ippeveprinter starts an Avahi client even with `-r off`, and exits ("Unable to initialize
 * DNS-SD") when there is no D-Bus system bus, as on CI machines and containers. A private
 * dbus-daemon (Debian package dbus-daemon) handed over as DBUS_SYSTEM_BUS_ADDRESS is enough: Avahi
 * then finds no daemon and ippeveprinter carries on without DNS-SD.
 */
async function privateBus(): Promise<PrivateBus | undefined> {
  if (existsSync('/run/dbus/system_bus_socket')) return undefined
  const child = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const address = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.once('error', (err) =>
      reject(
        new Error('dbus-daemon is missing: apt-get install dbus-daemon (ippeveprinter needs a bus)', { cause: err }),
      ),
    )
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString()
      const line = out.split('\n')[0]
      if (out.includes('\n') && line) resolve(line.trim())
    })
    setTimeout(() => reject(new Error('dbus-daemon printed no address in 5 s')), 5000).unref()
  })
  return {
    address,
    async stop() {
      await stopChild(child)
    },
  }
}

/**
 * CUPS's IPP Everywhere printer (Debian cups-ipp-utils) on a free port with its own spool dir,
 * keeping every job (`-k`). `command` runs per job (`-c`): /bin/true finishes jobs at once,
 * /bin/false makes them abort. Missing binary = loud failure naming the package.
 */
export async function startIppEvePrinter(options: { command?: string; name?: string } = {}): Promise<IppEvePrinter> {
  // A free port can be taken by a parallel test file before ippeveprinter binds it: try another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePort(options)
    } catch (err) {
      if (attempt >= 3 || !String((err as Error).message).includes('Address already in use')) throw err
    }
  }
}

async function startOnFreePort(options: { command?: string; name?: string }): Promise<IppEvePrinter> {
  const binary = findBinary()
  const spoolDir = mkdtempSync(join(tmpdir(), 'ippeve-'))
  const port = await freePort()
  const name = options.name ?? 'KioskTest'
  const args = ['-k', '-d', spoolDir, '-p', String(port), '-n', 'localhost', '-r', 'off']
  args.push('-f', 'application/pdf,image/jpeg,text/plain', '-c', options.command ?? '/bin/true')
  args.push('-M', 'Kiosk', '-m', 'Virtual', name)
  const bus = await privateBus()
  const env = bus ? { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: bus.address } : process.env
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env })
  let output = ''
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString()
  })
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString()
  })
  try {
    await listening(port, child, () => output)
  } catch (err) {
    child.kill('SIGTERM')
    await bus?.stop()
    throw err
  }
  return {
    url: `ipp://localhost:${port}/ipp/print`,
    spoolDir,
    spooled: () => readdirSync(spoolDir).filter((f) => !f.startsWith('.')),
    async close() {
      await stopChild(child)
      await bus?.stop()
      rmSync(spoolDir, { recursive: true, force: true })
    },
  }
}
