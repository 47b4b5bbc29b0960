import { describe, expect, it } from 'vitest'
import { decideGate, inMaintenanceWindow, type MaintenancePolicy, nextOpportunity } from './update-gate.ts'

/** A wall-clock time in Shanghai. */
const sh = (local: string): number => Date.parse(`${local}:00+08:00`)

const WEEKDAY = [{ start: '08:30', end: '17:30' }]
const POLICY: MaintenancePolicy = {
  windows: [{ start: '01:00', end: '05:00' }],
  openingHours: { 1: WEEKDAY, 2: WEEKDAY, 3: WEEKDAY, 4: WEEKDAY, 5: WEEKDAY, 6: [{ start: '09:00', end: '12:00' }] },
  holidays: ['2026-10-01'],
  makeUpWorkdays: ['2026-09-27'],
}
const IDLE = { sessionActive: false, cardInReader: false, paperInPath: false }

describe('decideGate', () => {
  it('opens for an idle kiosk inside the nightly window', () => {
    expect(decideGate(sh('2026-11-24T02:00'), IDLE, POLICY)).toEqual({ open: true })
  })

  it('stays shut while a citizen is served, a card is in the reader or paper is in the path', () => {
    const busy = { sessionActive: true, cardInReader: true, paperInPath: true }
    expect(decideGate(sh('2026-11-24T02:00'), busy, POLICY)).toEqual({
      open: false,
      reasons: ['sessionActive', 'cardInReader', 'paperInPath'],
    })
    expect(decideGate(sh('2026-11-24T02:00'), { ...IDLE, paperInPath: true }, POLICY)).toEqual({
      open: false,
      reasons: ['paperInPath'],
    })
  })

  it('includes the window start and excludes its end, to the minute', () => {
    expect(decideGate(sh('2026-11-24T00:59'), IDLE, POLICY)).toEqual({ open: false, reasons: ['outsideWindow'] })
    expect(inMaintenanceWindow(sh('2026-11-24T01:00'), POLICY)).toBe(true)
    expect(inMaintenanceWindow(sh('2026-11-24T04:59'), POLICY)).toBe(true)
    expect(inMaintenanceWindow(sh('2026-11-24T05:00'), POLICY)).toBe(false)
  })

  it('reads the clock in Asia/Shanghai whatever the UTC date', () => {
    // 2026-11-23T18:00Z is 02:00 on the 24th in Shanghai.
    expect(inMaintenanceWindow(Date.parse('2026-11-23T18:00:00Z'), POLICY)).toBe(true)
    expect(inMaintenanceWindow(Date.parse('2026-11-24T02:00:00Z'), POLICY)).toBe(false)
  })

  it('a public holiday is closed, so the whole day is a window', () => {
    expect(inMaintenanceWindow(sh('2026-10-01T10:00'), POLICY)).toBe(true)
    expect(inMaintenanceWindow(sh('2026-10-01T23:59'), POLICY)).toBe(true)
    expect(inMaintenanceWindow(sh('2026-10-02T10:00'), POLICY)).toBe(false)
    expect(inMaintenanceWindow(sh('2026-10-01T10:00'), { ...POLICY, closedDaysAllDay: false })).toBe(false)
  })

  it('a closed Sunday is a window, a make-up working Sunday (调休) is not during opening hours', () => {
    expect(inMaintenanceWindow(sh('2026-11-22T14:00'), POLICY)).toBe(true)
    expect(inMaintenanceWindow(sh('2026-09-27T14:00'), POLICY)).toBe(false)
    expect(inMaintenanceWindow(sh('2026-09-27T02:00'), POLICY)).toBe(true)
  })

  it('opening hours cut into a window that overlaps them', () => {
    const early: MaintenancePolicy = { ...POLICY, windows: [{ start: '05:00', end: '09:00' }] }
    expect(inMaintenanceWindow(sh('2026-11-24T08:29'), early)).toBe(true)
    expect(inMaintenanceWindow(sh('2026-11-24T08:30'), early)).toBe(false)
  })

  it('a window may run past midnight', () => {
    const late: MaintenancePolicy = { ...POLICY, windows: [{ start: '23:00', end: '02:00' }] }
    expect(inMaintenanceWindow(sh('2026-11-24T22:59'), late)).toBe(false)
    expect(inMaintenanceWindow(sh('2026-11-24T23:30'), late)).toBe(true)
    expect(inMaintenanceWindow(sh('2026-11-25T01:59'), late)).toBe(true)
    expect(inMaintenanceWindow(sh('2026-11-25T02:00'), late)).toBe(false)
  })

  it('names a malformed time', () => {
    expect(() => inMaintenanceWindow(0, { ...POLICY, windows: [{ start: '1:00', end: '05:00' }] })).toThrow(TypeError)
  })
})

describe('nextOpportunity', () => {
  it('is now when already inside a window', () => {
    const now = sh('2026-11-24T04:59') + 30_000
    expect(nextOpportunity(now, POLICY)).toBe(now)
  })

  it('is the next night during opening hours and at the window end', () => {
    expect(nextOpportunity(sh('2026-11-24T10:00'), POLICY)).toBe(sh('2026-11-25T01:00'))
    expect(nextOpportunity(sh('2026-11-24T05:00'), POLICY)).toBe(sh('2026-11-25T01:00'))
    expect(nextOpportunity(sh('2026-11-24T00:30'), POLICY)).toBe(sh('2026-11-24T01:00'))
  })

  it('is midnight when a holiday follows', () => {
    expect(nextOpportunity(sh('2026-09-30T06:00'), POLICY)).toBe(sh('2026-10-01T00:00'))
  })

  it('is undefined when the calendar has no window', () => {
    const never: MaintenancePolicy = {
      windows: [],
      openingHours: { 0: WEEKDAY, 1: WEEKDAY, 2: WEEKDAY, 3: WEEKDAY, 4: WEEKDAY, 5: WEEKDAY, 6: WEEKDAY },
      holidays: [],
    }
    expect(nextOpportunity(sh('2026-11-24T10:00'), never)).toBeUndefined()
  })
})
