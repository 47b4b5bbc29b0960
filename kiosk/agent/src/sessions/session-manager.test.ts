import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { maskIdNumber } from './citizen-session.ts'
import { type SessionEvent, SessionManager } from './session-manager.ts'
import { TransactionCounter } from './transaction-counter.ts'

const citizen = { idNumber: '11010119900307002X', name: '张三' }

describe('citizen sessions', () => {
  let transactions: TransactionCounter
  let sessions: SessionManager
  let events: SessionEvent[]

  beforeEach(() => {
    vi.useFakeTimers()
    transactions = new TransactionCounter()
    sessions = new SessionManager({ idleTimeoutMs: 60_000, idleWarningMs: 25_000, transactions })
    events = []
    sessions.on((e) => events.push(e))
  })
  afterEach(() => {
    sessions.dispose()
    vi.useRealTimers()
  })

  it('warns idleWarningMs before the reset, then wipes the session and counts it as timed out', async () => {
    const session = sessions.start('id-progress')
    session.identify(citizen)
    session.keep('applications', [{ matter: 'x' }])
    await vi.advanceTimersByTimeAsync(34_999)
    expect(events).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(events).toEqual([{ type: 'idleWarning', sessionId: session.sessionId, secondsLeft: 25 }])
    await vi.advanceTimersByTimeAsync(25_000)
    expect(events.at(-1)).toEqual({
      type: 'ended',
      sessionId: session.sessionId,
      serviceId: 'id-progress',
      reason: 'timedOut',
    })
    expect(sessions.current).toBeUndefined()
    expect(session.citizen).toBeUndefined()
    expect(session.heldItems).toBe(0)
    expect(transactions.snapshot()).toEqual([{ serviceId: 'id-progress', outcome: 'timedOut', count: 1 }])
  })

  it('one touch extends, as often as the citizen needs (WCAG 2.2.1)', async () => {
    const session = sessions.start('tax-certificate')
    for (let i = 0; i < 12; i++) {
      await vi.advanceTimersByTimeAsync(50_000)
      sessions.touch()
    }
    expect(sessions.current).toBe(session)
    expect(events.filter((e) => e.type === 'idleWarning')).toHaveLength(12)
    expect(events.some((e) => e.type === 'ended')).toBe(false)
  })

  it("a flow's own outcome wins when the citizen leaves with the home button", () => {
    const session = sessions.start('license-print')
    session.identify(citizen)
    session.outcome = 'completed'
    sessions.end('canceled')
    const other = sessions.start('license-print')
    other.outcome = 'failed'
    sessions.end('canceled')
    sessions.start('license-print')
    sessions.end('canceled')
    expect(transactions.snapshot()).toEqual([
      { serviceId: 'license-print', outcome: 'canceled', count: 1 },
      { serviceId: 'license-print', outcome: 'completed', count: 1 },
      { serviceId: 'license-print', outcome: 'failed', count: 1 },
    ])
  })

  it('starting a new session ends and wipes the one before', () => {
    const first = sessions.start('id-progress')
    first.identify(citizen)
    sessions.start('id-progress')
    expect(first.wiped).toBe(true)
    expect(first.citizen).toBeUndefined()
    expect(() => first.keep('x', 1)).toThrow()
  })

  it('refuses a warning that leaves no time to answer', () => {
    expect(() => new SessionManager({ idleTimeoutMs: 20_000, idleWarningMs: 20_000, transactions })).toThrow(TypeError)
  })

  it('shows the ID number with its middle hidden', () => {
    expect(maskIdNumber('11010119900307002X')).toBe('1101**********002X')
    expect(maskIdNumber('1234')).toBe('****')
  })
})
