import { SocialSecurityCardService } from '@drivers/smartcard-pcsc'
import { SAMPLE_SSC_CARD, VirtualSscCard, VpcdCard } from '@drivers/smartcard-pcsc/emulator'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Pcscd, startPcscd } from '../support/pcscd.ts'
import { waitFor } from '../support/wait-for.ts'

/**
 * The social-security card end to end: the service on the real pcscd through @pokusew/pcsclite,
 * the project's virtual card speaking APDUs through vsmartcard-vpcd's socket protocol.
 */
let pcscd: Pcscd
let service: SocialSecurityCardService
const cards: VpcdCard[] = []

beforeAll(async () => {
  pcscd = await startPcscd()
  service = new SocialSecurityCardService({ readerName: pcscd.readerName, backoff: { initialMs: 200, maxMs: 1000 } })
  await service.open()
  await waitFor('the vpcd reader', () => service.getStatus().state === 'online', 10_000)
})
afterAll(async () => {
  await service?.close()
  await pcscd?.close()
})
afterEach(async () => {
  for (const card of cards.splice(0)) await card.remove()
  await waitFor('the card to leave', () => !service.cardPresent, 10_000)
})

async function insert(pinTries?: number): Promise<VpcdCard> {
  const data = pinTries === undefined ? SAMPLE_SSC_CARD : { ...SAMPLE_SSC_CARD, pinTries }
  const card = new VpcdCard({ card: new VirtualSscCard(data), port: pcscd.vpcdPort })
  cards.push(card)
  await card.insert()
  expect(await service.waitForCard(10_000)).toEqual({ ok: true, value: undefined })
  return card
}

describe('social-security card over pcscd + vsmartcard-vpcd', () => {
  it('sees the virtual reader, then the card inserted with its ATR', async () => {
    expect(service.readerName).toMatch(/^Kiosk Virtual PCD/)
    const atrs: string[] = []
    const off = service.on('cardInserted', (atr) => atrs.push(atr))
    await insert()
    off()
    expect(atrs).toEqual(['3b8880014b696f736b5353430f'])
    expect(service.getStatus()).toEqual({ state: 'online', media: 'present' })
  })

  it('reads the public card identification without a PIN', async () => {
    await insert()
    expect(await service.readCardInfo()).toEqual({ ok: true, value: { ...SAMPLE_SSC_CARD.info, regionCode: '520100' } })
  })

  it('reads holder records only after PIN verification', async () => {
    const card = await insert()
    expect(await service.readHolder('123456')).toEqual({ ok: true, value: SAMPLE_SSC_CARD.holder })
    expect(card.card.instructions).toContain(0x20)
  })

  it('rejects a wrong PIN with the tries left, and blocks after the last', async () => {
    await insert(2)
    expect(await service.readHolder('000000')).toMatchObject({
      ok: false,
      error: { detail: 'pinInvalid', message: expect.stringContaining('1 tries left') },
    })
    expect(await service.readHolder('000000')).toMatchObject({ ok: false, error: { detail: 'pinBlocked' } })
    expect(await service.readHolder('123456')).toMatchObject({ ok: false, error: { detail: 'pinBlocked' } })
  })

  it('reports a card pulled mid-read as mediaRemoved, then reads again once it is back', async () => {
    const card = await insert()
    const removed = new Promise<void>((resolve) => {
      const off = service.on('cardRemoved', () => {
        off()
        resolve()
      })
    })
    card.pullAfterApdus(4)
    expect(await service.readCardInfo()).toMatchObject({
      ok: false,
      error: { code: 'commandError', detail: 'mediaRemoved' },
    })
    await removed
    expect(service.getStatus()).toEqual({ state: 'online', media: 'notPresent' })
    await card.insert()
    expect(await service.waitForCard(10_000)).toEqual({ ok: true, value: undefined })
    expect((await service.readCardInfo()).ok).toBe(true)
  })

  it('goes offline when pcscd stops, and reads again once it is back', async () => {
    const restarted = pcscd.restart()
    await waitFor('offline', () => service.getStatus().state === 'offline', 10_000)
    expect(service.getStatus().errorCode).toBeDefined()
    await restarted
    await waitFor('the reader again', () => service.getStatus().state === 'online', 20_000)
    await insert()
    expect((await service.readCardInfo()).ok).toBe(true)
  })

  it('says noMedia when no card is in the reader', async () => {
    expect(await service.readCardInfo()).toMatchObject({ ok: false, error: { detail: 'noMedia' } })
  })
})
