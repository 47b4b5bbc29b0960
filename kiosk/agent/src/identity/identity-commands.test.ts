import type { IdentityCard } from '@drivers/core'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CommandContext, CommandHandler } from '../local-api/local-api-server.ts'
import { SessionManager } from '../sessions/session-manager.ts'
import { TransactionCounter } from '../sessions/transaction-counter.ts'
import { admitCard, faceCheckPending, IDENTITY_KEYS } from './admit-card.ts'
import { encodeTestPhoto, testContainerPhotoDecoder } from './card-photo.ts'
import { type DemoIdentityPlatform, startDemoIdentityPlatform } from './demo-identity-platform.ts'
import { createIdentityCommands } from './identity-commands.ts'
import { RemoteIdentityVerifier } from './remote-identity-verifier.ts'

const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9])
const card: IdentityCard = {
  cardType: 'resident',
  name: '张三',
  gender: 'male',
  nation: '汉',
  birthDate: '1990-03-07',
  address: '北京市东城区',
  idNumber: '11010119900307002X',
  idNumberCheck: 'valid',
  issuingAuthority: '北京市公安局东城分局',
  validFrom: '2020-01-01',
  validTo: '2030-01-01',
  photoWlt: encodeTestPhoto(jpeg, 'image/jpeg'),
}
const ctx: CommandContext = { event: () => undefined }
const frame = Buffer.from(jpeg).toString('base64')

describe('identity commands: face check tries and the gate on personal data', () => {
  let sessions: SessionManager
  let platform: DemoIdentityPlatform
  let commands: Record<string, CommandHandler>
  const call = (name: string, payload: Record<string, unknown> = {}) => (commands[name] as CommandHandler)(payload, ctx)

  beforeEach(async () => {
    sessions = new SessionManager({
      idleTimeoutMs: 60_000,
      idleWarningMs: 25_000,
      transactions: new TransactionCounter(),
    })
    platform = await startDemoIdentityPlatform()
    commands = createIdentityCommands({
      sessions,
      mode: 'remote',
      remote: new RemoteIdentityVerifier({ baseUrl: platform.url, timeoutMs: 2000 }),
      decoders: [testContainerPhotoDecoder],
      maxTries: 3,
      logger: pino({ level: 'silent' }),
    })
  })
  afterEach(async () => {
    sessions.dispose()
    await platform.close()
  })

  it('refuses an expired card and keeps nothing of it', () => {
    const session = sessions.start('tax-certificate')
    const admitted = admitCard(session, { ...card, validTo: '2024-01-01' }, new Date('2026-12-04T08:00:00Z'), true)
    expect(admitted).toEqual({ ok: false, errorCode: 'cardExpired', reason: 'expired' })
    expect(session.heldItems).toBe(0)
  })

  it('a match through the platform opens the gate; the card photo is dropped', async () => {
    const session = sessions.start('tax-certificate')
    expect(admitCard(session, card, new Date('2026-12-04T08:00:00Z'), true)).toMatchObject({
      ok: true,
      faceCheck: true,
    })
    expect(faceCheckPending(session)).toBe(true)
    expect(await call('Identity.FaceStart')).toMatchObject({ completionCode: 'success', mode: 'remote', triesLeft: 3 })
    expect(await call('Identity.Verify', { frames: [frame, frame] })).toMatchObject({ completionCode: 'success' })
    expect(faceCheckPending(session)).toBe(false)
    expect(session.recall(IDENTITY_KEYS.cardPhoto)).toBeUndefined()
    expect(platform.received).toEqual([{ frames: 2, cardPhotoBytes: jpeg.length }])
  })

  it('three counted failures lock the check; a platform outage is not counted', async () => {
    const session = sessions.start('id-progress')
    admitCard(session, card, new Date('2026-12-04T08:00:00Z'), true)
    platform.setDecision('down')
    expect(await call('Identity.Verify', { frames: [frame] })).toMatchObject({
      completionCode: 'deviceNotReady',
      errorCode: 'faceUnavailable',
    })
    platform.setDecision('noMatch')
    expect(await call('Identity.Verify', { frames: [frame] })).toMatchObject({ errorCode: 'faceNoMatch', triesLeft: 2 })
    platform.setDecision('spoof')
    expect(await call('Identity.Verify', { frames: [frame] })).toMatchObject({ errorCode: 'faceSpoof', triesLeft: 1 })
    expect(await call('Identity.Verify', { frames: [frame] })).toMatchObject({ errorCode: 'faceLocked', triesLeft: 0 })
    platform.setDecision('match')
    expect(await call('Identity.Verify', { frames: [frame] })).toMatchObject({ errorCode: 'faceLocked' })
    expect(faceCheckPending(session)).toBe(true)
    expect(session.outcome).toBe('failed')
  })

  it('a session identified without a face-check service needs no check; unknown frames are refused', async () => {
    const session = sessions.start('ss-certificate')
    admitCard(session, card, new Date('2026-12-04T08:00:00Z'), false)
    expect(faceCheckPending(session)).toBe(false)
    sessions.start('tax-certificate')
    const next = sessions.current
    if (!next) throw new Error('no session')
    admitCard(next, card, new Date('2026-12-04T08:00:00Z'), true)
    expect(await call('Identity.Verify', { frames: ['x'.repeat(3_000_001)] })).toMatchObject({ errorCode: 'badFrames' })
  })

  it('wipes the card photo and the face state with the session', async () => {
    const session = sessions.start('tax-certificate')
    admitCard(session, card, new Date('2026-12-04T08:00:00Z'), true)
    await call('Identity.Verify', { frames: [frame] })
    sessions.end('completed')
    expect(session.heldItems).toBe(0)
    expect(session.recall(IDENTITY_KEYS.faceVerified)).toBeUndefined()
  })
})

describe('identity commands on the device: what the log keeps of a decision', () => {
  it('logs the outcome and the four scores, rounded, and nothing else the page sends', async () => {
    const lines: string[] = []
    const sessions = new SessionManager({
      idleTimeoutMs: 60_000,
      idleWarningMs: 25_000,
      transactions: new TransactionCounter(),
    })
    const commands = createIdentityCommands({
      sessions,
      mode: 'onDevice',
      decoders: [testContainerPhotoDecoder],
      maxTries: 3,
      logger: pino({ level: 'info' }, { write: (line: string) => lines.push(line) }),
    })
    const session = sessions.start('tax-certificate')
    admitCard(session, card, new Date('2026-12-04T08:00:00Z'), true)
    const result = await (commands['Identity.FaceResult'] as CommandHandler)(
      {
        outcome: 'spoof',
        scores: { similarity: 0.87123, real: 0.4581, live: Number.NaN, motion: 44.7771, embedding: 0.123456789 },
      },
      ctx,
    )
    expect(result).toMatchObject({ errorCode: 'faceSpoof', triesLeft: 2 })
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'face check')
    expect(logged).toMatchObject({
      outcome: 'spoof',
      scores: { similarity: 0.871, real: 0.458, live: null, motion: 44.777 },
    })
    expect(Object.keys(logged.scores)).toEqual(['similarity', 'real', 'live', 'motion'])
    expect(lines.join('')).not.toContain('0.123456789')
    sessions.dispose()
  })
})

describe('RemoteIdentityVerifier', () => {
  it('treats a platform that does not answer as unavailable', async () => {
    const verifier = new RemoteIdentityVerifier({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 500 })
    expect(await verifier.verify({ mimeType: 'image/jpeg', bytes: jpeg }, [jpeg])).toEqual({ outcome: 'unavailable' })
  })
})
