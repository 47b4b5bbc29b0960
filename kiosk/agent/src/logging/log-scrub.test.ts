import { describe, expect, it } from 'vitest'
import { scrubLogLine } from './log-scrub.ts'

const ID = '11010519491231002X'
const CARD = '6222020200112233445'
const TIME = 1_796_474_634_123 // 2026-12-05

describe('scrubLogLine', () => {
  it("keeps a pino line's timestamps", () => {
    const line = JSON.stringify({ level: 30, time: TIME, msg: 'health recorded', issuedAt: TIME, ts: TIME - 5 })
    expect(JSON.parse(scrubLogLine(line))).toEqual({
      level: 30,
      time: TIME,
      msg: 'health recorded',
      issuedAt: TIME,
      ts: TIME - 5,
    })
  })

  it('still scrubs ID and card numbers in messages, fields and nested values', () => {
    const line = JSON.stringify({
      level: 40,
      time: TIME,
      msg: `backend answered for ${ID} and card ${CARD}`,
      holder: { idNumber: ID.toLowerCase(), cards: [Number('622202020011223')] },
    })
    const out = scrubLogLine(line)
    expect(out).not.toContain(ID)
    expect(out).not.toContain(ID.toLowerCase())
    expect(out).not.toContain(CARD)
    expect(out).not.toContain('622202020011223')
    expect(JSON.parse(out)).toMatchObject({ time: TIME, holder: { cards: ['[scrubbed]'] } })
  })

  it('scrubs a card number written where a time goes, and a timestamp-like number under another key', () => {
    const line = `{"level":30,"time":${CARD},"createdAt":4222020200112,"amount":${TIME}}`
    const parsed = JSON.parse(scrubLogLine(line))
    expect(parsed).toEqual({ level: 30, time: '[scrubbed]', createdAt: '[scrubbed]', amount: '[scrubbed]' })
  })

  it('scrubs plain-text and broken JSON lines as text', () => {
    expect(scrubLogLine(`card ${CARD} at ${TIME}`)).toBe('card [scrubbed] at [scrubbed]')
    expect(scrubLogLine(`{"msg":"${ID}"`)).toBe('{"msg":"[scrubbed]"')
  })
})
