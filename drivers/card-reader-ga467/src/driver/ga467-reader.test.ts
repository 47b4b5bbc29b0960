import { Writable } from 'node:stream'
import {
  AppError,
  createMemoryTransportPair,
  type DeviceStatus,
  DriverErrorCodes,
  type MemoryTransport,
  type Transport,
} from '@drivers/core'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import foreign from '../../fixtures/cards/foreign-permanent.json' with { type: 'json' }
import permit from '../../fixtures/cards/hk-macau-taiwan.json' with { type: 'json' }
import withFp from '../../fixtures/cards/resident-fingerprints.json' with { type: 'json' }
import zhangSan from '../../fixtures/cards/resident-zhang-san.json' with { type: 'json' }
import { toHex } from '../codec/index.ts'
import { type EmulatedCard, Ga467Emulator, parseCardFile, syntheticWlt } from '../emulator/index.ts'
import { Ga467Reader, type Ga467ReaderOptions } from './ga467-reader.ts'
import { cardRedactPaths } from './redaction.ts'

interface Rig {
  reader: Ga467Reader
  emulator: Ga467Emulator
  host: MemoryTransport
  /** Pulls the cable: the transport reports a disconnect, the old emulator is gone, opening fails. */
  unplug(): Promise<void>
  /** Plugs a fresh reader (new transport pair and emulator) in place of the old one. */
  replug(card?: EmulatedCard): Promise<Ga467Emulator>
}

/** What opening /dev/ttyUSB0 gives while the reader is unplugged. */
function missingPort(): Transport {
  return {
    description: 'memory:unplugged',
    isOpen: false,
    open: () => Promise.reject(new AppError(DriverErrorCodes.transportOpenFailed, 'no such device')),
    write: () => Promise.reject(new AppError(DriverErrorCodes.transportClosed, 'not open')),
    close: () => Promise.resolve(),
    onData: () => () => undefined,
    onDisconnect: () => () => undefined,
  }
}

async function rig(card: EmulatedCard | undefined, options: Partial<Ga467ReaderOptions> = {}): Promise<Rig> {
  let pair = createMemoryTransportPair('idcard')
  let emulator = new Ga467Emulator({ transport: pair.device, ...(card ? { card } : {}) })
  await emulator.start()
  let unplugged = false
  const openTransport = () => (unplugged ? missingPort() : pair.host)
  const reader = new Ga467Reader({ openTransport, description: 'memory', ...options })
  const r: Rig = {
    reader,
    emulator,
    host: pair.host,
    async unplug() {
      unplugged = true
      pair.host.simulateDisconnect(new Error('USB cable pulled'))
      await emulator.stop()
    },
    async replug(next = card) {
      unplugged = false
      pair = createMemoryTransportPair('idcard')
      emulator = new Ga467Emulator({ transport: pair.device, ...(next ? { card: next } : {}) })
      await emulator.start()
      r.emulator = emulator
      r.host = pair.host
      return emulator
    },
  }
  await reader.open()
  return r
}

const resident = parseCardFile(zhangSan)

describe('Ga467Reader against the emulator (memory transport)', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('opens online, then reads a resident card with find → select → read', async () => {
    const { reader, emulator } = await rig(resident)
    expect(reader.getStatus()).toEqual({ state: 'online' })
    const result = await reader.readCard()
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.value).toMatchObject({
      cardType: 'resident',
      name: '张三',
      idNumber: '11010119900307002X',
      idNumberCheck: 'valid',
    })
    expect(result.value.photoWlt).toEqual(resident.photoWlt)
    expect(emulator.received.map((c) => c.type)).toEqual(['resetSam', 'findCard', 'selectCard', 'readCard'])
    expect(reader.getCounters()).toMatchObject({ readsOk: 1, readsFailed: 0, discardedBytes: 0 })
  })

  it('reads all three card types, fingerprints and the additional address', async () => {
    for (const json of [foreign, permit]) {
      const { reader } = await rig(parseCardFile(json))
      const result = await reader.readCard({ fingerprints: true })
      expect(result.ok && result.value.cardType).toBe(json.cardType)
    }
    const { reader } = await rig(parseCardFile(withFp))
    const result = await reader.readCard({ fingerprints: true, additionalAddress: true })
    if (!result.ok) throw new Error(result.error.message)
    expect(result.value.fingerprints).toHaveLength(1024)
    expect(result.value.additionalAddress).toBe('新疆乌鲁木齐市沙依巴克区示例街9号')
    expect(result.value.validTo).toBe('long-term')
  })

  it('answers no card as noMedia at once, and as a timeout after waitMs', async () => {
    const { reader, emulator } = await rig(undefined)
    expect(await reader.readCard()).toMatchObject({ ok: false, error: { code: 'commandError', detail: 'noMedia' } })
    const waiting = reader.readCard({ waitMs: 2000 })
    await vi.advanceTimersByTimeAsync(2500)
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'timeout', detail: 'noMedia' } })
    const later = reader.readCard({ waitMs: 5000 })
    await vi.advanceTimersByTimeAsync(1200)
    emulator.presentCard(resident)
    await vi.advanceTimersByTimeAsync(1000)
    expect(await later).toMatchObject({ ok: true, value: { name: '张三' } })
  })

  it('turns a reader that stops answering into a timeout result and keeps working', async () => {
    const { reader, emulator } = await rig(resident)
    emulator.faults.dropNext = true
    const pending = reader.readCard()
    await vi.advanceTimersByTimeAsync(1000)
    expect(await pending).toMatchObject({ ok: false, error: { code: 'timeout', detail: 'noResponse' } })
    expect(reader.getCounters()).toMatchObject({ timeouts: 1, readsFailed: 1 })
    expect(reader.lastError?.code).toBe('noResponse')
    expect(await reader.readCard()).toMatchObject({ ok: true })
  })

  it('reports a read reply with a wrong checksum as invalidData, then reads the card again', async () => {
    const { reader, emulator } = await rig(resident)
    await reader.readCard() // warm: card now halted
    emulator.presentCard()
    emulator.faults.corruptNextChecksum = true
    // The corrupt reply is the find reply here; find is retried once and succeeds.
    expect(await reader.readCard()).toMatchObject({ ok: true })
    emulator.presentCard()
    emulator.faults.corruptNextChecksum = false
    emulator.received.length = 0
    const original = emulator.faults
    const read = reader.readCard()
    // Corrupt exactly the read reply: wait until find and select went through.
    await emulator.expectCommand((c) => c.type === 'selectCard')
    original.corruptNextChecksum = true
    expect(await read).toMatchObject({ ok: false, error: { code: 'invalidData' } })
    expect(reader.getCounters()['checksumErrors']).toBe(2)
    emulator.presentCard()
    expect(await reader.readCard()).toMatchObject({ ok: true })
  })

  it('resyncs after garbage before a reply and counts the discarded bytes', async () => {
    const { reader, emulator } = await rig(resident)
    emulator.faults.garbageBeforeNext = Uint8Array.of(0x00, 0xaa, 0x13, 0x37, 0xaa, 0xaa)
    expect(await reader.readCard()).toMatchObject({ ok: true })
    expect(reader.getCounters()['discardedBytes']).toBe(6)
  })

  it('reports a SAM self-test failure as hardwareError and recovers with a reset once the SAM is back', async () => {
    const { reader, emulator } = await rig(resident, { backoff: { initialMs: 100, maxMs: 400 } })
    const statuses: DeviceStatus[] = []
    reader.on('statusChanged', (next) => statuses.push(next))
    emulator.faults.samSelfTestFailed = true
    expect(await reader.readCard()).toMatchObject({ ok: false, error: { code: 'hardwareError', detail: 'samError' } })
    expect(reader.getStatus()).toEqual({ state: 'hardwareError', errorCode: 'samFault' })
    await vi.advanceTimersByTimeAsync(1000)
    expect(reader.getStatus().state).toBe('hardwareError')
    emulator.faults.samSelfTestFailed = false
    await vi.advanceTimersByTimeAsync(1000)
    expect(reader.getStatus()).toEqual({ state: 'online' })
    expect(statuses.map((s) => s.state)).toEqual(['hardwareError', 'online'])
    expect(reader.getCounters()['samErrors']).toBeGreaterThanOrEqual(2)
    expect(await reader.readCard()).toMatchObject({ ok: true })
  })

  it('reports a card removed mid-read as mediaRemoved', async () => {
    const { reader, emulator } = await rig(resident)
    emulator.faults.removeCardDuringRead = 400
    const pending = reader.readCard()
    await vi.advanceTimersByTimeAsync(2000)
    expect(await pending).toMatchObject({ ok: false, error: { code: 'commandError', detail: 'mediaRemoved' } })
    expect(reader.getCounters()['discardedBytes']).toBe(400)
  })

  it('survives the reader being unplugged mid-read: noDevice, then reconnects with backoff', async () => {
    const r = await rig(resident, { backoff: { initialMs: 100, maxMs: 1000 } })
    const pending = r.reader.readCard()
    // The read command goes unanswered, so the cable is pulled while the driver waits for the reply.
    await r.emulator.expectCommand((c) => c.type === 'selectCard')
    r.emulator.faults.dropNext = true
    await r.emulator.expectCommand((c) => c.type === 'readCard')
    await r.unplug()
    expect(await pending).toMatchObject({ ok: false, error: { code: 'canceled' } })
    expect(r.reader.getStatus()).toEqual({ state: 'noDevice', errorCode: 'disconnected' })
    // While unplugged, reopening fails quietly and is retried with backoff.
    await vi.advanceTimersByTimeAsync(1500)
    expect(r.reader.getStatus().state).toBe('noDevice')
    await r.replug()
    await vi.advanceTimersByTimeAsync(2000)
    expect(r.reader.getStatus()).toEqual({ state: 'online' })
    expect(r.reader.getCounters()).toMatchObject({ disconnects: 1, reconnects: 1 })
    expect(await r.reader.readCard()).toMatchObject({ ok: true })
  })

  it('polls: cardInserted, cardRead, and cardRemoved when the card leaves', async () => {
    const { reader, emulator } = await rig(undefined, { pollIntervalMs: 400 })
    const events: string[] = []
    reader.on('cardInserted', () => events.push('inserted'))
    reader.on('cardRead', (card) => events.push(`read:${card.cardType}`))
    reader.on('cardRemoved', () => events.push('removed'))
    reader.startPolling()
    await vi.advanceTimersByTimeAsync(1000)
    expect(events).toEqual([])
    emulator.presentCard(resident)
    await vi.advanceTimersByTimeAsync(500)
    expect(events).toEqual(['inserted', 'read:resident'])
    await vi.advanceTimersByTimeAsync(2000)
    expect(events).toEqual(['inserted', 'read:resident'])
    emulator.removeCard()
    await vi.advanceTimersByTimeAsync(500)
    expect(events).toEqual(['inserted', 'read:resident', 'removed'])
    emulator.presentCard(parseCardFile(permit))
    await vi.advanceTimersByTimeAsync(500)
    expect(events.slice(3)).toEqual(['inserted', 'read:hkMacauTaiwan'])
    reader.stopPolling()
    await reader.close()
  })

  it('reads the SAM id and status', async () => {
    const { reader } = await rig(resident)
    expect(await reader.getSamStatus()).toMatchObject({ ok: true, value: { name: 'success' } })
    expect(await reader.readSamId()).toMatchObject({
      ok: true,
      value: { formatted: '05.01-12345-123456789-987654321' },
    })
  })

  it('hands the WLT photo to a pluggable vendor decoder, and says so when there is none', async () => {
    // A card with a WLT photo (the zhang-san fixture carries the test container instead).
    const { reader } = await rig(
      { ...resident, photoWlt: syntheticWlt(resident.text.idNumber) },
      {
        photoDecoder: { name: 'test', decode: async (wlt) => ({ mimeType: 'image/bmp', bytes: wlt.subarray(0, 2) }) },
      },
    )
    const read = await reader.readCard()
    if (!read.ok) throw new Error(read.error.message)
    expect(await reader.decodePhoto(read.value)).toEqual({
      ok: true,
      value: { mimeType: 'image/bmp', bytes: Uint8Array.of(0x57, 0x4c) },
    })
    const plain = await rig(resident)
    expect(await plain.reader.decodePhoto(read.value)).toMatchObject({ ok: false, error: { code: 'unsupported' } })
    const broken = await rig(resident, {
      photoDecoder: {
        name: 'broken',
        decode: () => Promise.reject(new Error('bad wlt')),
      },
    })
    expect(await broken.reader.decodePhoto(read.value)).toMatchObject({ ok: false, error: { code: 'invalidData' } })
  })

  it('maps card-level SAM statuses to reader details (behaviour hook on the emulator)', async () => {
    const pair = createMemoryTransportPair()
    const answers: Record<string, number> = { readCard: 0x40 }
    const emulator = new Ga467Emulator({
      transport: pair.device,
      card: resident,
      behaviors: [
        {
          onCommand: (command) => {
            const sw3 = answers[command.type]
            return sw3 === undefined ? undefined : { type: 'status', sw1: 0, sw2: 0, sw3 }
          },
        },
      ],
    })
    await emulator.start()
    const reader = new Ga467Reader({ openTransport: () => pair.host })
    await reader.open()
    expect(await reader.readCard()).toMatchObject({ ok: false, error: { detail: 'invalidMedia' } })
    answers['readCard'] = 0x32
    emulator.presentCard()
    expect(await reader.readCard()).toMatchObject({ ok: false, error: { detail: 'authenticationFailed' } })
    answers['selectCard'] = 0x81
    emulator.presentCard()
    const failed = await reader.readCard()
    expect(failed).toMatchObject({ ok: false, error: { code: 'commandError', detail: 'mediaRemoved' } })
    expect(failed.ok ? '' : failed.error.message).toContain('选取证/卡失败')
    expect(reader.getCounters()['readsFailed']).toBe(3)
  })

  it('keeps one request in flight: concurrent calls never interleave on the wire', async () => {
    const { reader, emulator } = await rig(resident)
    emulator.received.length = 0
    const [card, status, samId] = await Promise.all([reader.readCard(), reader.getSamStatus(), reader.readSamId()])
    expect([card.ok, status.ok, samId.ok]).toEqual([true, true, true])
    expect(emulator.received.map((c) => c.type)).toEqual([
      'findCard',
      'selectCard',
      'readCard',
      'samStatus',
      'readSamId',
    ])
  })

  it('validates its options', () => {
    const openTransport = () => createMemoryTransportPair().host
    expect(() => new Ga467Reader({ openTransport, baudRate: 0 })).toThrow(/baudRate/)
    expect(() => new Ga467Reader({ openTransport, backoff: { initialMs: 10, maxMs: 5 } })).toThrow(/backoff/)
  })
})

describe('privacy', () => {
  it('never writes card contents to a log line, even at trace level', async () => {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString())
        done()
      },
    })
    const logger = pino({ level: 'trace' }, sink)
    const card = parseCardFile(withFp)
    const { reader, emulator } = await rig(card, { logger })
    const result = await reader.readCard({ fingerprints: true, additionalAddress: true })
    expect(result.ok).toBe(true)
    emulator.faults.corruptNextChecksum = true
    emulator.presentCard()
    await reader.readCard()
    const log = lines.join('')
    expect(log).toContain('card read')
    const utf16hex = (s: string) =>
      toHex(Uint8Array.from([...s].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])))
    const secrets = [
      card.text.name,
      card.text.idNumber,
      card.text.address,
      card.additionalAddress!,
      Buffer.from(card.photoWlt).toString('base64').slice(0, 24),
      toHex(card.photoWlt.subarray(8, 40)),
      utf16hex(card.text.name),
      utf16hex(card.text.idNumber),
      utf16hex(card.text.address.slice(0, 6)),
    ]
    for (const secret of secrets) expect(log).not.toContain(secret)
    // The driver's logger redacts card fields even if a card object were ever logged.
    const probe: string[] = []
    const probeSink = new Writable({
      write(chunk: Buffer, _enc, done) {
        probe.push(chunk.toString())
        done()
      },
    })
    const child = pino({}, probeSink).child({}, { redact: cardRedactPaths })
    child.info({ card: { name: card.text.name }, other: { idNumber: card.text.idNumber } }, 'x')
    expect(probe.join('')).not.toContain(card.text.name)
    expect(probe.join('')).not.toContain(card.text.idNumber)
  })
})
