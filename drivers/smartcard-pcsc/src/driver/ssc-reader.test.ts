import { Writable } from 'node:stream'
import { isAppError } from '@drivers/core'
import pino from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SAMPLE_SSC_CARD, VirtualSscCard } from '../emulator/index.ts'
import { MemoryPcsc, type MemoryPcscReader } from './memory-pcsc.ts'
import { loadPcscLite } from './pcsclite-adapter.ts'
import { SocialSecurityCardService, type SocialSecurityCardServiceOptions } from './ssc-reader.ts'

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

const services: SocialSecurityCardService[] = []
afterEach(async () => {
  vi.useRealTimers()
  for (const s of services.splice(0)) await s.close()
})

async function bench(options: Partial<SocialSecurityCardServiceOptions> = {}) {
  const pcsc = new MemoryPcsc()
  const reader: MemoryPcscReader = pcsc.plugReader('Virtual PCD 00 00')
  const service = new SocialSecurityCardService({ connector: pcsc.connector(), ...options })
  services.push(service)
  const events: string[] = []
  service.on('cardInserted', () => events.push('inserted'))
  service.on('cardRemoved', () => events.push('removed'))
  await service.open()
  await settle()
  return { pcsc, reader, service, events }
}

describe('SocialSecurityCardService (in-memory PC/SC + virtual card)', () => {
  it('reads the card identification without a PIN', async () => {
    const { reader, service, events } = await bench()
    expect(service.getStatus()).toEqual({ state: 'online', media: 'notPresent' })
    reader.insert(new VirtualSscCard(SAMPLE_SSC_CARD))
    expect(events).toEqual(['inserted'])
    const info = await service.readCardInfo()
    expect(info).toEqual({ ok: true, value: { ...SAMPLE_SSC_CARD.info, regionCode: '520100' } })
    expect(service.getStatus()).toEqual({ state: 'online', media: 'present' })
  })

  it('reads holder records after VERIFY; a wrong PIN says how many tries are left, then blocks', async () => {
    const { reader, service } = await bench()
    const card = new VirtualSscCard(SAMPLE_SSC_CARD)
    reader.insert(card)
    expect(await service.readHolder('123456')).toEqual({ ok: true, value: SAMPLE_SSC_CARD.holder })
    expect(await service.readHolder('654321')).toMatchObject({
      ok: false,
      error: {
        code: 'commandError',
        detail: 'pinInvalid',
        message: expect.stringContaining('2 tries left'),
        triesLeft: 2,
      },
    })
    expect(await service.readHolder('654321')).toMatchObject({ ok: false, error: { triesLeft: 1 } })
    expect(await service.readHolder('654321')).toMatchObject({ ok: false, error: { detail: 'pinBlocked' } })
    expect(await service.readHolder('123456')).toMatchObject({ ok: false, error: { detail: 'pinBlocked' } })
    expect(await service.readHolder('12')).toMatchObject({
      ok: false,
      error: { code: 'invalidData', detail: 'pinInvalid' },
    })
    expect(service.getCounters()).toMatchObject({ readsOk: 1, pinFailures: 4 })
  })

  it('reports a card pulled mid-read as mediaRemoved, and no card as noMedia', async () => {
    const { reader, service, events } = await bench()
    expect(await service.readCardInfo()).toMatchObject({
      ok: false,
      error: { code: 'deviceNotReady', detail: 'noMedia' },
    })
    reader.insert(new VirtualSscCard(SAMPLE_SSC_CARD))
    reader.pullAfterApdus = 3
    expect(await service.readCardInfo()).toMatchObject({
      ok: false,
      error: { code: 'commandError', detail: 'mediaRemoved' },
    })
    expect(events).toEqual(['inserted', 'removed'])
    expect(service.cardPresent).toBe(false)
  })

  it('refuses a card without the SSSE application', async () => {
    const { reader, service } = await bench()
    reader.insert({ atr: Uint8Array.of(0x3b, 0), reset: () => undefined, process: () => Uint8Array.of(0x6a, 0x82) })
    expect(await service.readCardInfo()).toMatchObject({ ok: false, error: { detail: 'invalidMedia' } })
  })

  it('times out an unanswered APDU (fake timers)', async () => {
    vi.useFakeTimers()
    const { reader, service } = await bench({ apduTimeoutMs: 1000 })
    reader.insert({ atr: Uint8Array.of(0x3b, 0), reset: () => undefined, process: () => Uint8Array.of(0x90, 0) })
    // A card that never answers: the reader's transmit stays pending.
    Object.assign(reader, { transmit: () => new Promise<Uint8Array>(() => undefined) })
    const pending = service.readCardInfo()
    await vi.advanceTimersByTimeAsync(999)
    await vi.advanceTimersByTimeAsync(1)
    expect(await pending).toMatchObject({ ok: false, error: { code: 'timeout' } })
  })

  it('follows the reader: none yet, plugged, unplugged; pcscd down is offline', async () => {
    const pcsc = new MemoryPcsc()
    const service = new SocialSecurityCardService({ connector: pcsc.connector(), readerName: 'Kiosk' })
    services.push(service)
    await service.open()
    await settle()
    expect(service.getStatus()).toEqual({ state: 'noDevice', errorCode: 'noReader' })
    pcsc.plugReader('Other Reader')
    const reader = pcsc.plugReader('Kiosk PCD 00 00')
    await settle()
    expect(service.readerName).toBe('Kiosk PCD 00 00')
    reader.insert(new VirtualSscCard(SAMPLE_SSC_CARD))
    reader.unplug()
    expect(service.getStatus()).toEqual({ state: 'noDevice', errorCode: 'noReader' })
    expect(await service.readCardInfo()).toMatchObject({ ok: false, error: { detail: 'noReader' } })
    const down = new MemoryPcsc()
    down.serviceDown = true
    const offline = new SocialSecurityCardService({ connector: down.connector() })
    services.push(offline)
    await offline.open()
    await settle()
    expect(offline.getStatus()).toEqual({ state: 'offline', errorCode: 'serviceUnavailable' })
  })

  it('re-establishes the context with backoff once pcscd is back (fake timers)', async () => {
    vi.useFakeTimers()
    const pcsc = new MemoryPcsc()
    pcsc.serviceDown = true
    pcsc.plugReader('Virtual PCD 00 00')
    const service = new SocialSecurityCardService({
      connector: pcsc.connector(),
      backoff: { initialMs: 1000, maxMs: 4000 },
    })
    services.push(service)
    await service.open()
    await settle()
    expect(service.getStatus()).toEqual({ state: 'offline', errorCode: 'serviceUnavailable' })
    expect(await service.readCardInfo()).toMatchObject({ ok: false, error: { detail: 'serviceUnavailable' } })
    await vi.advanceTimersByTimeAsync(1000)
    expect(service.getStatus().state).toBe('offline')
    pcsc.serviceDown = false
    await vi.advanceTimersByTimeAsync(1999)
    expect(service.getStatus().state).toBe('offline')
    await vi.advanceTimersByTimeAsync(1)
    expect(service.getStatus()).toEqual({ state: 'online', media: 'notPresent' })
    expect(service.getCounters()).toMatchObject({ reconnects: 2 })
  })

  it('waits for a card, or times out (fake timers)', async () => {
    vi.useFakeTimers()
    const { reader, service } = await bench()
    const waiting = service.waitForCard(5000)
    reader.insert(new VirtualSscCard(SAMPLE_SSC_CARD))
    expect(await waiting).toEqual({ ok: true, value: undefined })
    expect(await service.waitForCard(10)).toEqual({ ok: true, value: undefined })
    reader.pull()
    const none = service.waitForCard(2000)
    await vi.advanceTimersByTimeAsync(2000)
    expect(await none).toMatchObject({ ok: false, error: { code: 'timeout', detail: 'noMedia' } })
  })

  it('never logs the PIN or card fields, even at trace level', async () => {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk))
        done()
      },
    })
    const { reader, service } = await bench({ logger: pino({ level: 'trace' }, sink) })
    reader.insert(new VirtualSscCard(SAMPLE_SSC_CARD))
    await service.readCardInfo()
    await service.readHolder('123456')
    await service.readHolder('987654')
    const log = lines.join('')
    expect(log).toContain('holder read')
    expect(log).toContain('pin rejected')
    for (const secret of [
      '123456',
      '987654',
      '王小明',
      '52010219900307002X',
      'A52010012',
      '520100D156000005',
      '1990-03-07',
    ]) {
      expect(log).not.toContain(secret)
    }
  })

  it('throws ERR_DRV_PCSC_NOT_OPEN before open, and names the packages when the binding cannot load', async () => {
    const service = new SocialSecurityCardService({ connector: new MemoryPcsc().connector() })
    const error = await service.readCardInfo().catch((e: unknown) => e)
    expect(isAppError(error, 'ERR_DRV_PCSC_NOT_OPEN')).toBe(true)
    const missing = () => {
      throw new Error('libpcsclite.so.1: cannot open shared object file')
    }
    let thrown: unknown
    try {
      loadPcscLite(missing)
    } catch (e) {
      thrown = e
    }
    expect(isAppError(thrown, 'ERR_DRV_PCSC_UNAVAILABLE')).toBe(true)
    expect((thrown as Error).message).toContain('libpcsclite-dev')
    expect(() => loadPcscLite(() => ({}))).toThrow(/no function/)
    expect(typeof loadPcscLite()).toBe('function')
    expect(() => new SocialSecurityCardService({ connector: new MemoryPcsc().connector(), apduTimeoutMs: 0 })).toThrow(
      /apduTimeoutMs/,
    )
  })
})
