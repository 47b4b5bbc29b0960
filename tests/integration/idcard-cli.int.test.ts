import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createPtyPair } from '../support/pty.ts'

const root = join(import.meta.dirname, '../..')
const bin = join(root, 'drivers/cli/bin/kiosk-devices.mjs')
const cards = join(root, 'drivers/card-reader-ga467/fixtures/cards')

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the real bin (node + tsx), as a technician's `npx kiosk-devices ...` would. */
function run(args: string[], timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
    })
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`kiosk-devices ${args.join(' ')} did not finish in ${timeoutMs} ms: ${stderr}`))
    }, timeoutMs)
    child.once('error', reject)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

interface Emulate {
  child: ChildProcess
  stderr: () => string
  stop(): Promise<number | null>
}

/** Starts `kiosk-devices emulate idcard` and waits until it says it is serving. */
async function emulate(link: string, card: string, extra: string[] = []): Promise<Emulate> {
  const child = spawn(process.execPath, [bin, 'emulate', 'idcard', '--link', link, '--card', card, ...extra], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${stderr}`)), 20_000)
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
      if (stderr.includes('emulating a GA 467')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}: ${stderr}`)))
  })
  return {
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      return exited
    },
  }
}

describe('kiosk-devices CLI end to end against the emulator on a pty', () => {
  const dirs: string[] = []
  const emulators: Emulate[] = []
  afterEach(async () => {
    for (const e of emulators.splice(0)) await e.stop()
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })
  function tempDir(): string {
    const d = mkdtempSync(join(tmpdir(), 'kiosk-devices-int-'))
    dirs.push(d)
    return d
  }

  it('emulate idcard + idcard read --json: prints the card with the documented keys', async () => {
    const link = join(tempDir(), 'ttyIDCARD')
    const emu = await emulate(link, join(cards, 'resident-fingerprints.json'))
    emulators.push(emu)
    const r = await run(['idcard', 'read', '--port', link, '--json', '--timeout', '5000', '--fingerprints'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const card = JSON.parse(r.stdout)
    for (const key of [
      'cardType',
      'name',
      'gender',
      'nation',
      'birthDate',
      'address',
      'idNumber',
      'issuingAuthority',
      'validFrom',
      'validTo',
      'photoWlt',
    ]) {
      expect(card).toHaveProperty(key)
    }
    expect(card).toMatchObject({
      cardType: 'resident',
      name: '古丽娜尔',
      gender: 'female',
      nation: '维吾尔',
      birthDate: '1985-06-12',
      validTo: 'long-term',
      idNumberCheck: 'valid',
      additionalAddress: '新疆乌鲁木齐市沙依巴克区示例街9号',
    })
    expect(Buffer.from(card.photoWlt, 'base64')).toHaveLength(1024)
    expect(Buffer.from(card.fingerprints, 'base64')).toHaveLength(1024)

    // The JSON it printed is a card file the emulator accepts: a field read can be replayed.
    const replay = join(tempDir(), 'replay.json')
    writeFileSync(replay, r.stdout)
    const link2 = join(tempDir(), 'ttyREPLAY')
    emulators.push(await emulate(link2, replay))
    const again = await run(['idcard', 'read', '--port', link2, '--json', '--fingerprints'])
    expect(JSON.parse(again.stdout)).toEqual(card)
  })

  it('reads each card type as text, warns about a wrong check digit, and reads the SAM', async () => {
    for (const [file, expected] of [
      ['foreign-permanent.json', /外国人永久居留身份证[\s\S]*SMITH JOHN[\s\S]*史密斯约翰/],
      ['hk-macau-taiwan.json', /港澳台居民居住证[\s\S]*陈大文[\s\S]*H12345678/],
    ] as const) {
      const link = join(tempDir(), 'tty')
      const emu = await emulate(link, join(cards, file))
      const r = await run(['idcard', 'read', '--port', link])
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(expected)
      await emu.stop()
    }
    const link = join(tempDir(), 'ttyBAD')
    emulators.push(await emulate(link, join(cards, 'resident-bad-check-digit.json')))
    const bad = await run(['idcard', 'read', '--port', link])
    expect(bad.code).toBe(0)
    expect(bad.stdout).toContain('check digit WRONG')
    expect(bad.stderr).toMatch(/warning: the ID number fails its MOD 11-2 check digit/)
    const sam = await run(['idcard', 'sam', '--port', link])
    expect(sam.code).toBe(0)
    expect(sam.stdout).toMatch(/SAM status\s+success \(操作成功, SW3=90\)/)
    expect(sam.stdout).toMatch(/SAM id\s+05\.01-12345-123456789-987654321/)
  })

  it('exits 5 when no card is presented in time', async () => {
    const link = join(tempDir(), 'ttyONCE')
    emulators.push(await emulate(link, join(cards, 'resident-zhang-san.json'), ['--represent-ms', '0']))
    expect((await run(['idcard', 'read', '--port', link])).code).toBe(0)
    const r = await run(['idcard', 'read', '--port', link, '--timeout', '1200'])
    expect(r.code).toBe(5)
    expect(r.stderr).toContain('no card presented within 1200 ms — place the card flat on the reader')
  })

  it('emulate --fault: a SAM fault exits 6, a card pulled mid-read exits 6, an empty field exits 5', async () => {
    const resident = join(cards, 'resident-zhang-san.json')
    const cases = [
      ['sam-self-test', 6, /SAM module reports a fault .*power-cycle the reader/],
      ['remove-mid-read', 6, /removed during the read.*keep the card on the reader until it is read/],
      ['no-card', 5, /no card presented within 1000 ms/],
    ] as const
    for (const [fault, code, message] of cases) {
      const link = join(tempDir(), 'ttyFAULT')
      const emu = await emulate(link, resident, ['--fault', fault])
      const r = await run(['idcard', 'read', '--port', link, '--timeout', '1000'])
      expect(r.code, `${fault}: ${r.stderr}`).toBe(code)
      expect(r.stderr).toMatch(message)
      await emu.stop()
    }
  })

  it('exits 3 with an actionable message when nothing answers on the port', async () => {
    const pty = await createPtyPair()
    try {
      const r = await run(['idcard', 'read', '--port', pty.hostEnd, '--baud', '115200'])
      expect(r.code).toBe(3)
      expect(r.stderr).toContain(`no response from reader at ${pty.hostEnd} at 115200 baud — check cable and baud rate`)
    } finally {
      await pty.close()
    }
  })

  it('exits 4 for a missing port and 2 for a bad card file', async () => {
    const missing = await run(['idcard', 'read', '--port', '/dev/ttyUSB97'])
    expect(missing.code).toBe(4)
    expect(missing.stderr).toMatch(/cannot open \/dev\/ttyUSB97/)
    const file = join(tempDir(), 'bad.json')
    writeFileSync(file, JSON.stringify({ cardType: 'resident', name: '王五', gender: 'x' }))
    const bad = await run(['emulate', 'idcard', '--link', join(tempDir(), 'tty'), '--card', file])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('invalid card file')
    expect(bad.stderr).toContain('card.gender')
  })

  it('emulate stops cleanly on SIGTERM and removes its pty link', async () => {
    const link = join(tempDir(), 'ttySTOP')
    const emu = await emulate(link, join(cards, 'resident-zhang-san.json'))
    expect(existsSync(link)).toBe(true)
    expect(await emu.stop()).toBe(0)
    expect(existsSync(link)).toBe(false)
  })

  it('never prints card contents in driver logs, even at trace level', async () => {
    const link = join(tempDir(), 'ttyLOG')
    emulators.push(await emulate(link, join(cards, 'resident-zhang-san.json')))
    const r = await run(['--log-level', 'trace', 'idcard', 'read', '--port', link, '--json'])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('"msg":"card read"')
    for (const secret of ['张三', '11010119900307002X', '北京市东城区', '205f094e'])
      expect(r.stderr).not.toContain(secret)
    expect(JSON.parse(r.stdout).name).toBe('张三')
  })

  it('list runs without udev or HID libraries and exits 0', async () => {
    const r = await run(['list', '--json'])
    expect(r.code).toBe(0)
    const json = JSON.parse(r.stdout)
    expect(Array.isArray(json.serial)).toBe(true)
    expect(Array.isArray(json.hid)).toBe(true)
  })
})
