import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { Ga467Reader, type Ga467ReaderOptions, serialReaderTransport, toHex } from '@drivers/card-reader-ga467'
import { type EmulatedCard, Ga467Emulator, parseCardFile } from '@drivers/card-reader-ga467/emulator'
import { SerialTransport } from '@drivers/transport-serial'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { createPtyPair, type PtyPair } from '../support/pty.ts'

const fixtures = join(import.meta.dirname, '../../drivers/card-reader-ga467/fixtures/cards')
const card = (name: string) => parseCardFile(JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8')))

interface Bench {
  reader: Ga467Reader
  emulator: Ga467Emulator
}

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

/** Emulator on one end of a socat pty pair (serialport), the driver on the other, as on /dev/ttyUSB0. */
async function onPty(emulated: EmulatedCard | undefined, options: Partial<Ga467ReaderOptions> = {}): Promise<Bench> {
  const pty: PtyPair = await createPtyPair()
  cleanup.push(() => pty.close())
  const emulator = new Ga467Emulator({
    transport: new SerialTransport({ path: pty.deviceEnd, baudRate: 115200 }),
    ...(emulated ? { card: emulated } : {}),
  })
  await emulator.start()
  cleanup.push(() => emulator.stop())
  const reader = new Ga467Reader({ openTransport: serialReaderTransport(pty.hostEnd, 115200), ...options })
  await reader.open()
  cleanup.push(() => reader.close())
  return { reader, emulator }
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('GA 467 driver ↔ emulator over a real pty pair', () => {
  it.each([
    ['resident-zhang-san', 'resident', false],
    ['resident-fingerprints', 'resident', true],
    ['foreign-permanent', 'foreignPermanent', false],
    ['hk-macau-taiwan', 'hkMacauTaiwan', true],
  ] as const)('reads %s (%s, fingerprints: %s)', async (file, cardType, fingerprints) => {
    const emulated = card(file)
    const { reader, emulator } = await onPty(emulated)
    const result = await reader.readCard({ fingerprints, additionalAddress: true })
    if (!result.ok) throw new Error(result.error.message)
    expect(result.value.cardType).toBe(cardType)
    expect(result.value.name).toBe(emulated.text.name)
    expect(result.value.idNumber).toBe(emulated.text.idNumber)
    expect(result.value.photoWlt).toEqual(emulated.photoWlt)
    expect(result.value.fingerprints?.length ?? 0).toBe(fingerprints ? (emulated.fingerprints?.length ?? 0) : 0)
    expect(emulator.received.map((c) => c.type).slice(1, 4)).toEqual([
      'findCard',
      'selectCard',
      fingerprints ? 'readCardWithFingerprint' : 'readCard',
    ])
    expect(reader.getCounters()).toMatchObject({ readsOk: 1, discardedBytes: 0 })
  })

  it('reports no card at once, and a timeout when none comes within waitMs', async () => {
    const { reader } = await onPty(undefined, { pollIntervalMs: 300 })
    expect(await reader.readCard()).toMatchObject({ ok: false, error: { detail: 'noMedia' } })
    expect(await reader.readCard({ waitMs: 900 })).toMatchObject({
      ok: false,
      error: { code: 'timeout', detail: 'noMedia' },
    })
  })

  it('reports a card removed mid-read as mediaRemoved and reads the next card', async () => {
    const { reader, emulator } = await onPty(card('resident-zhang-san'))
    emulator.faults.removeCardDuringRead = 600
    expect(await reader.readCard()).toMatchObject({ ok: false, error: { detail: 'mediaRemoved' } })
    expect(reader.getStatus().state).toBe('online')
    emulator.presentCard()
    expect(await reader.readCard()).toMatchObject({ ok: true })
  })

  it('reports a reply with a wrong checksum as invalidData, then reads again', async () => {
    const { reader, emulator } = await onPty(card('hk-macau-taiwan'))
    const read = reader.readCard()
    await emulator.expectCommand((c) => c.type === 'selectCard')
    emulator.faults.corruptNextChecksum = true
    expect(await read).toMatchObject({ ok: false, error: { code: 'invalidData' } })
    expect(reader.getCounters()['checksumErrors']).toBe(1)
    emulator.presentCard()
    expect(await reader.readCard()).toMatchObject({ ok: true })
  })

  it('resyncs after garbage bytes on the line', async () => {
    const { reader, emulator } = await onPty(card('foreign-permanent'))
    emulator.faults.garbageBeforeNext = Uint8Array.of(0xaa, 0x00, 0xaa, 0x96, 0x13, 0x37, 0xff)
    expect(await reader.readCard()).toMatchObject({ ok: true, value: { cardType: 'foreignPermanent' } })
    expect(reader.getCounters()['discardedBytes']).toBeGreaterThan(0)
  })

  it('reports a SAM self-test failure as hardwareError and recovers when the SAM is back', async () => {
    const { reader, emulator } = await onPty(card('resident-zhang-san'), { backoff: { initialMs: 50, maxMs: 200 } })
    emulator.faults.samSelfTestFailed = true
    expect(await reader.readCard()).toMatchObject({ ok: false, error: { code: 'hardwareError', detail: 'samError' } })
    expect(reader.getStatus()).toEqual({ state: 'hardwareError', errorCode: 'samFault' })
    emulator.faults.samSelfTestFailed = false
    await until(() => reader.getStatus().state === 'online')
    expect(await reader.readCard()).toMatchObject({ ok: true })
  })

  it('reads at a slow 9600 baud, and the read takes at least its wire time', async () => {
    const { reader, emulator } = await onPty(card('resident-zhang-san'), { baudRate: 9600 })
    emulator.baudRate = 9600
    emulator.responseDelayMs = 20
    const started = performance.now()
    const result = await reader.readCard()
    const elapsed = performance.now() - started
    expect(result).toMatchObject({ ok: true })
    // 1359 bytes at 960 bytes/s: the emulator really paced the line.
    expect(elapsed).toBeGreaterThanOrEqual((1359 * 1000) / 960)
  })

  it('polls and emits cardInserted, cardRead and cardRemoved', async () => {
    const { reader, emulator } = await onPty(undefined, { pollIntervalMs: 300 })
    const events: string[] = []
    reader.on('cardInserted', () => events.push('inserted'))
    reader.on('cardRead', (c) => events.push(`read:${c.cardType}`))
    reader.on('cardRemoved', () => events.push('removed'))
    reader.startPolling()
    emulator.presentCard(card('hk-macau-taiwan'))
    await until(() => events.length === 2)
    emulator.removeCard()
    await until(() => events.length === 3)
    expect(events).toEqual(['inserted', 'read:hkMacauTaiwan', 'removed'])
  })

  it('never logs card contents (trace level, real pty)', async () => {
    const lines: string[] = []
    const logger = pino(
      { level: 'trace' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString())
          done()
        },
      }),
    )
    const emulated = card('resident-fingerprints')
    const { reader } = await onPty(emulated, { logger })
    expect(await reader.readCard({ fingerprints: true, additionalAddress: true })).toMatchObject({ ok: true })
    const log = lines.join('')
    expect(log).toContain('"msg":"card read"')
    for (const secret of [
      emulated.text.name,
      emulated.text.idNumber,
      emulated.text.address,
      Buffer.from(emulated.photoWlt).toString('base64').slice(0, 16),
      toHex(emulated.photoWlt.subarray(16, 48)),
    ]) {
      expect(log).not.toContain(secret)
    }
  })
})

/** socat with fixed link paths, so a "replugged" reader reappears at the same path. */
function startSocat(deviceLink: string, hostLink: string): { proc: ChildProcess; ready: Promise<void> } {
  const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${deviceLink}`, `pty,raw,echo=0,link=${hostLink}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  const ready = new Promise<void>((resolve, reject) => {
    proc.once('error', reject)
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      if (stderr.includes('starting data transfer loop') && existsSync(hostLink)) resolve()
    })
  })
  return { proc, ready }
}

describe('unplugging the reader mid-read', () => {
  it('cancels the read, goes noDevice without crashing, and reconnects when the reader is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idcard-unplug-'))
    const deviceLink = join(dir, 'device')
    const hostLink = join(dir, 'host')
    let socat = startSocat(deviceLink, hostLink)
    await socat.ready
    const emulated = card('resident-zhang-san')
    let emulator = new Ga467Emulator({
      transport: new SerialTransport({ path: deviceLink, baudRate: 9600 }),
      card: emulated,
    })
    await emulator.start()
    const reader = new Ga467Reader({
      openTransport: serialReaderTransport(hostLink, 9600),
      baudRate: 9600,
      backoff: { initialMs: 100, maxMs: 400 },
    })
    cleanup.push(async () => {
      await reader.close()
      await emulator.stop()
      socat.proc.kill('SIGTERM')
      rmSync(dir, { recursive: true, force: true })
    })
    await reader.open()
    emulator.baudRate = 9600 // the 1295-byte reply takes 1.35 s: long enough to pull the cable during it
    const states: string[] = []
    reader.on('statusChanged', (next) => states.push(next.state))
    const read = reader.readCard()
    await emulator.expectCommand((c) => c.type === 'readCard', 5000)
    await new Promise((r) => setTimeout(r, 200))
    const exited = new Promise((r) => socat.proc.once('exit', r))
    socat.proc.kill('SIGTERM')
    await exited
    const result = await read
    expect(result.ok).toBe(false)
    expect(['canceled', 'deviceNotReady']).toContain(result.ok ? '' : result.error.code)
    await until(() => reader.getStatus().state === 'noDevice')
    expect(await reader.readCard()).toMatchObject({ ok: false, error: { code: 'deviceNotReady' } })
    await emulator.stop()

    // Plug it back in at the same path. The host end appears only once the emulated reader listens,
    // as a USB reader's node appears with the reader behind it: otherwise a reconnect that lands between
    // socat and the emulator's start meets a silent SAM (offline), which is the rig's gap, not an unplug.
    const pendingHostLink = `${hostLink}.pending`
    socat = startSocat(deviceLink, pendingHostLink)
    await socat.ready
    emulator = new Ga467Emulator({
      transport: new SerialTransport({ path: deviceLink, baudRate: 9600 }),
      card: emulated,
    })
    await emulator.start()
    renameSync(pendingHostLink, hostLink)
    await until(() => reader.getStatus().state === 'online')
    expect(states).toEqual(['noDevice', 'online'])
    expect(reader.getCounters()).toMatchObject({ disconnects: 1, reconnects: 1 })
    expect(await reader.readCard()).toMatchObject({ ok: true })
  })
})
