import { describe, expect, it } from 'vitest'
import { forecastPaper } from './paper-forecast.ts'

const DAY = 86_400_000
const T = Date.parse('2026-11-24T08:00:00Z')

describe('forecastPaper', () => {
  it('divides the receipt roll left by the millimetres used per day', () => {
    const f = forecastPaper({
      latest: { at: T, counters: { paperMm: 12_000, paperRemainingMm: 6_000 } },
      baseline: { at: T - 4 * DAY, counters: { paperMm: 4_000, paperRemainingMm: 14_000 } },
    })
    expect(f).toEqual({
      kind: 'receipt',
      unit: 'mm',
      remaining: 6_000,
      usedPerDay: 2_000,
      daysLeft: 3,
      emptyAt: T + 3 * DAY,
    })
  })

  it('forecasts A4 trays from sheets printed and sheets left', () => {
    const f = forecastPaper({
      latest: { at: T, counters: { sheetsPrinted: 530, sheetsRemaining: 100 } },
      baseline: { at: T - 7 * DAY, counters: { sheetsPrinted: 180, sheetsRemaining: 450 } },
    })
    expect(f).toMatchObject({ kind: 'a4', unit: 'sheets', remaining: 100, usedPerDay: 50, daysLeft: 2 })
  })

  it('says 0 days when the printer reports paper out or jammed, whatever the estimate', () => {
    for (const paper of ['out', 'jammed'])
      expect(
        forecastPaper({
          latest: { at: T, counters: { paperMm: 10, paperRemainingMm: 900 } },
          baseline: undefined,
          paper,
        }),
      ).toMatchObject({ remaining: 0, daysLeft: 0, emptyAt: T })
  })

  it('gives no rate without a day of history, after a counter reset, or when nothing is printed', () => {
    const latest = { at: T, counters: { paperMm: 500, paperRemainingMm: 3_000 } }
    const unknown = { usedPerDay: null, daysLeft: null, emptyAt: null }
    expect(forecastPaper({ latest, baseline: undefined })).toMatchObject(unknown)
    expect(forecastPaper({ latest, baseline: { at: T - 3_600_000, counters: { paperMm: 100 } } })).toMatchObject(
      unknown,
    )
    // The agent restarted: its counter started again from 0.
    expect(forecastPaper({ latest, baseline: { at: T - 2 * DAY, counters: { paperMm: 9_000 } } })).toMatchObject(
      unknown,
    )
    expect(forecastPaper({ latest, baseline: { at: T - 2 * DAY, counters: { paperMm: 500 } } })).toMatchObject({
      usedPerDay: 0,
      daysLeft: null,
    })
  })

  it('has no forecast for a printer that reports no paper left counter (or a device that is no printer)', () => {
    expect(forecastPaper({ latest: { at: T, counters: { jobs: 4 } }, baseline: undefined })).toBeUndefined()
  })
})
