import { Listeners } from '@drivers/core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { endSessionsOnCardRemoval } from './card-removal.ts'
import type { CitizenSession } from './citizen-session.ts'
import { type SessionEvent, SessionManager } from './session-manager.ts'
import { TransactionCounter } from './transaction-counter.ts'

/** A reader as far as removal goes: the test lifts the card. */
class EmulatedReader {
  readonly #removed = new Listeners<[]>()
  on(_event: 'cardRemoved', listener: () => void): () => void {
    return this.#removed.on(listener)
  }
  lift(): void {
    this.#removed.emit()
  }
}

const citizen = { idNumber: '11010119900307002X', name: '张三' }
const card = { photoWlt: new Uint8Array([1, 2, 3]) }
// id-progress ends on card removal; social-security-query does not.
const FLAGS: Record<string, boolean> = { 'id-progress': true, 'social-security-query': false }

describe('ending sessions when the card is lifted', () => {
  let sessions: SessionManager
  let idReader: EmulatedReader
  let ssReader: EmulatedReader
  let events: SessionEvent[]
  let off: () => void

  beforeEach(() => {
    vi.useFakeTimers()
    sessions = new SessionManager({
      idleTimeoutMs: 60_000,
      idleWarningMs: 25_000,
      transactions: new TransactionCounter(),
    })
    idReader = new EmulatedReader()
    ssReader = new EmulatedReader()
    events = []
    sessions.on((e) => events.push(e))
    off = endSessionsOnCardRemoval({
      sessions,
      idReader,
      ssReader,
      endsOnCardRemoval: (id) => FLAGS[id] ?? false,
    })
  })
  afterEach(() => {
    off()
    sessions.dispose()
    vi.useRealTimers()
  })

  function byIdCard(serviceId: string, faceCheck = false): CitizenSession {
    const session = sessions.start(serviceId)
    session.identify(citizen)
    session.keep('identifiedBy', faceCheck ? 'idCardFace' : 'idCard')
    if (faceCheck) session.keep('identity.cardPhoto', card.photoWlt)
    return session
  }

  it('ends and wipes an ID-card session at once when its service says so', () => {
    const session = byIdCard('id-progress')
    idReader.lift()
    expect(sessions.current).toBeUndefined()
    expect(session.heldItems).toBe(0)
    expect(events.at(-1)).toMatchObject({ type: 'ended', reason: 'cardRemoved' })
  })

  it('keeps an ID-card session going after the lift when its service does not end on removal', () => {
    const session = byIdCard('social-security-query')
    idReader.lift()
    expect(sessions.current).toBe(session)
    expect(session.citizen).toEqual(citizen)
    sessions.end('completed')
    expect(session.heldItems).toBe(0)
    expect(events.at(-1)).toMatchObject({ type: 'ended', reason: 'completed' })
  })

  it('a kept session still ends, wiped, at the idle timeout', async () => {
    const session = byIdCard('social-security-query', true)
    idReader.lift()
    expect(sessions.current).toBe(session)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(sessions.current).toBeUndefined()
    expect(session.heldItems).toBe(0)
    expect(events.at(-1)).toMatchObject({ type: 'ended', reason: 'timedOut' })
  })

  it('the face check follows the flag: the photo was read into the session', () => {
    byIdCard('social-security-query', true)
    idReader.lift()
    expect(sessions.current?.recall('identity.cardPhoto')).toEqual(card.photoWlt)
    sessions.end('canceled')
    const flagged = byIdCard('id-progress', true)
    idReader.lift()
    expect(sessions.current).toBeUndefined()
    expect(flagged.heldItems).toBe(0)
  })

  it('ignores the ID card reader for a social-security card session and for a session nobody identified', () => {
    const session = sessions.start('id-progress')
    idReader.lift()
    expect(sessions.current).toBe(session)
    session.keep('identifiedBy', 'ssCard')
    session.identify(citizen)
    idReader.lift()
    expect(sessions.current).toBe(session)
  })

  it('taking the social-security card out during the PIN always ends the session', () => {
    const session = sessions.start('social-security-query')
    session.keep('identifiedBy', 'ssCard')
    ssReader.lift()
    expect(sessions.current).toBeUndefined()
    expect(session.heldItems).toBe(0)
    expect(events.at(-1)).toMatchObject({ type: 'ended', reason: 'cardRemoved' })
  })

  it('after the PIN has identified the holder, the flag decides', () => {
    const kept = sessions.start('social-security-query')
    kept.keep('identifiedBy', 'ssCard')
    kept.identify(citizen)
    ssReader.lift()
    expect(sessions.current).toBe(kept)
    sessions.end('completed')

    const ended = sessions.start('id-progress')
    ended.keep('identifiedBy', 'ssCard')
    ended.identify(citizen)
    ssReader.lift()
    expect(sessions.current).toBeUndefined()
  })

  it('stops listening once switched off', () => {
    off()
    const session = byIdCard('id-progress')
    idReader.lift()
    expect(sessions.current).toBe(session)
  })
})
