import type { DeploymentStatusPayload } from '@kiosk-fleet/protocol'
import { compareVersions } from '@kiosk-fleet/protocol'
import { describe, expect, it } from 'vitest'
import { assignGroups, groupEnds, shuffleStable } from './grouping.ts'
import { applyReport, groupPassed, type KioskProgress, shouldHalt, timeoutStretch } from './kiosk-states.ts'
import { deadlineOf, everyKioskHasOutcome } from './rollout-outcomes.ts'
import { buildSchedule, DEFAULT_SITE_SCHEDULE, localDate } from './schedule.ts'
import {
  type ArtifactInfo,
  type Candidate,
  classifyKiosk,
  EMPTY_FILTER,
  incompatibility,
  peripheralIsModel,
  selectKiosks,
} from './selection.ts'

describe('compareVersions', () => {
  it('compares numerically, part by part', () => {
    expect(compareVersions('1.10.0', '1.9.2')).toBeGreaterThan(0)
    expect(compareVersions('1.2', '1.2.0')).toBe(0)
    expect(compareVersions('v2.0.0', '2.0.0')).toBe(0)
    expect(compareVersions('0.9.9', '1.0.0')).toBeLessThan(0)
  })
  it('sorts a pre-release before its release and ignores build metadata', () => {
    expect(compareVersions('1.2.0-rc.1', '1.2.0')).toBeLessThan(0)
    expect(compareVersions('1.2.0-rc.2', '1.2.0-rc.10')).toBeLessThan(0)
    expect(compareVersions('1.2.0+build5', '1.2.0')).toBe(0)
  })
})

describe('groups', () => {
  const ids = Array.from({ length: 100 }, (_, i) => `kiosk-${i}`)
  it('orders kiosks stably per rollout, differently across rollouts', () => {
    expect(shuffleStable('ro_1', ids)).toEqual(shuffleStable('ro_1', [...ids].reverse()))
    expect(shuffleStable('ro_1', ids)).not.toEqual(shuffleStable('ro_2', ids))
    expect(shuffleStable('ro_1', ids)).not.toEqual(ids)
  })
  it('cuts counts and cumulative percents of the whole selection', () => {
    expect(groupEnds([{ count: 2 }, { percent: 25 }, { percent: 100 }], 100)).toEqual([2, 25, 100])
    expect(groupEnds([{ percent: 1 }, { percent: 100 }], 50)).toEqual([1, 50])
    // A percent smaller than what came before is an empty group; a count never passes the end.
    expect(groupEnds([{ count: 40 }, { percent: 50 }, { count: 100 }], 50)).toEqual([40, 40, 50])
    expect(groupEnds([{ percent: 25 }], 10)).toEqual([3])
  })
  it('assigns every selected kiosk to one group, leaving out those past the last', () => {
    const assigned = assignGroups('ro_1', ids, [{ count: 2 }, { percent: 25 }, { percent: 100 }])
    expect(assigned).toHaveLength(100)
    expect(assigned.filter((a) => a.group === 0)).toHaveLength(2)
    expect(assigned.filter((a) => a.group === 1)).toHaveLength(23)
    expect(new Set(assigned.map((a) => a.kioskId)).size).toBe(100)
    expect(assignGroups('ro_1', ids, [{ percent: 10 }])).toHaveLength(10)
  })
})

describe('deployment reports', () => {
  const at = (state: KioskProgress['state']): KioskProgress => ({
    state,
    progress: null,
    blockedBy: null,
    errorCode: null,
  })
  const report = (state: DeploymentStatusPayload['state'], extra: Partial<DeploymentStatusPayload> = {}) =>
    ({ seq: 1, ts: 1, deploymentId: 'ro_1', state, ...extra }) as DeploymentStatusPayload

  it('maps each report to a kiosk state; success is only verifying', () => {
    expect(applyReport(at('notified'), report('downloading'))?.state).toBe('downloading')
    expect(applyReport(at('downloading'), report('success'))?.state).toBe('verifying')
    expect(applyReport(at('installing'), report('failure', { errorCode: 'ERR_X' }))).toMatchObject({
      state: 'failed',
      errorCode: 'ERR_X',
    })
    expect(applyReport(at('rebooting'), report('rolledBack'))?.state).toBe('rolledBack')
    expect(applyReport(at('downloading'), report('downloaded', { blockedBy: ['outsideWindow'] }))).toMatchObject({
      state: 'downloaded',
      blockedBy: ['outsideWindow'],
    })
  })
  it('ignores duplicates and late reports, keeps progress moving', () => {
    const downloading = { ...at('downloading'), progress: 0.5 }
    expect(applyReport(downloading, report('downloading', { progress: 0.5 }))).toBeUndefined()
    expect(applyReport(downloading, report('downloading', { progress: 0.7 }))?.progress).toBe(0.7)
    expect(applyReport(at('installing'), report('downloading'))).toBeUndefined()
    expect(applyReport(at('succeeded'), report('failure'))).toBeUndefined()
    expect(applyReport(at('failed'), report('success'))).toBeUndefined()
  })
  it('completes a failure after installing with the kiosk’s own rollback, keeping the cause', () => {
    const failed = applyReport(
      at('installing'),
      report('failure', { errorCode: 'ERR_KIOSK_UPDATE_HEALTH_CHECK_FAILED' }),
    )
    expect(applyReport(failed as KioskProgress, report('rolledBack', { version: '1.0.0' }))).toMatchObject({
      state: 'rolledBack',
      errorCode: 'ERR_KIOSK_UPDATE_HEALTH_CHECK_FAILED',
    })
    expect(applyReport(at('rolledBack'), report('failure'))).toBeUndefined()
  })
  it("lets the kiosk's word overrule the server's timeout and cancel", () => {
    expect(applyReport(at('timedOut'), report('success'))?.state).toBe('verifying')
    expect(applyReport(at('cancelled'), report('installing'))?.state).toBe('installing')
  })
  it('keeps a kiosk timed out while its crawling download still reports progress', () => {
    expect(applyReport(at('timedOut'), report('downloading', { progress: 0.01 }))).toBeUndefined()
    expect(applyReport(at('timedOut'), report('downloaded'))?.state).toBe('downloaded')
    expect(
      applyReport(at('timedOut'), report('failure', { errorCode: 'ERR_KIOSK_UPDATE_DOWNLOAD_STALLED' })),
    ).toMatchObject({
      state: 'failed',
      errorCode: 'ERR_KIOSK_UPDATE_DOWNLOAD_STALLED',
    })
  })
  it('times only active stretches, not the wait for the window', () => {
    expect(timeoutStretch('notified')).toBe('delivery')
    expect(timeoutStretch('downloaded')).toBeUndefined()
    expect(timeoutStretch('rebooting')).toBe('install')
    expect(timeoutStretch('pending')).toBeUndefined()
  })
})

describe('thresholds', () => {
  it('passes a group on successThreshold of its kiosks, not counting offline pending ones', () => {
    expect(groupPassed({ succeeded: 9, failed: 1 }, 0, 0.9)).toBe(true)
    expect(groupPassed({ succeeded: 8, verifying: 2 }, 0, 0.9)).toBe(false)
    expect(groupPassed({ succeeded: 8, pending: 2 }, 2, 0.9)).toBe(true)
    expect(groupPassed({ succeeded: 8, pending: 2 }, 1, 0.9)).toBe(false)
    expect(groupPassed({}, 0, 1)).toBe(true)
  })
  it('halts on errorThreshold of finished kiosks once errorMinSample finished', () => {
    expect(shouldHalt({ failed: 2 }, 0.2, 3).halt).toBe(false)
    expect(shouldHalt({ failed: 1, timedOut: 1, succeeded: 1 }, 0.5, 3).halt).toBe(true)
    expect(shouldHalt({ failed: 1, succeeded: 9 }, 0.2, 3)).toEqual({ halt: false, failed: 1, finished: 10 })
    expect(shouldHalt({ rolledBack: 2, succeeded: 8, verifying: 5 }, 0.2, 3).halt).toBe(true)
    expect(shouldHalt({ succeeded: 10 }, 0, 3).halt).toBe(false)
  })
})

describe('outcomes', () => {
  it('completes only when every kiosk has an outcome; timed-out kiosks wait for the deadline', () => {
    expect(everyKioskHasOutcome({ succeeded: 4, pending: 1 }, false)).toBe(false)
    expect(everyKioskHasOutcome({ succeeded: 4, downloading: 1 }, true)).toBe(false)
    expect(everyKioskHasOutcome({ succeeded: 4, timedOut: 1 }, false)).toBe(false)
    expect(everyKioskHasOutcome({ succeeded: 4, timedOut: 1 }, true)).toBe(true)
    expect(everyKioskHasOutcome({ succeeded: 3, failed: 1, cancelled: 1 }, false)).toBe(true)
  })
  it('puts the deadline retryForMs after the start', () => {
    expect(deadlineOf({ startedAt: null, retryForMs: 1000 })).toBeUndefined()
    expect(deadlineOf({ startedAt: '2026-01-01T00:00:00.000Z', retryForMs: 1000 })).toBe(
      Date.parse('2026-01-01T00:00:01.000Z'),
    )
  })
})

describe('maintenance schedule', () => {
  it('uses the fleet default for a site without its own schedule', () => {
    const s = buildSchedule(undefined, [], '2026-11-24')
    expect(s.windows).toEqual([{ start: '22:00', end: '06:00' }])
    expect(s.openingHours['1']).toEqual([{ start: '09:00', end: '17:00' }])
    expect(s.openingHours['0']).toBeUndefined()
    expect(s.closedDaysAllDay).toBe(true)
  })
  it('merges holidays, site closures and 调休 within the next 400 days', () => {
    const s = buildSchedule(
      { ...DEFAULT_SITE_SCHEDULE, closedDays: ['2026-12-01', '2027-02-14', '2020-01-01'] },
      [
        { day: '2026-10-01', kind: 'holiday', name: '国庆节' },
        { day: '2027-01-01', kind: 'holiday', name: '元旦' },
        { day: '2027-02-14', kind: 'workday', name: '春节调休' },
        { day: '2027-02-28', kind: 'workday', name: '春节调休' },
        { day: '2028-06-01', kind: 'holiday', name: 'far away' },
      ],
      '2026-11-24',
    )
    expect(s.holidays).toEqual(['2026-12-01', '2027-01-01', '2027-02-14'])
    expect(s.makeUpWorkdays).toEqual(['2027-02-28'])
  })
  it('dates the calendar in the sites’ time zone', () => {
    // 2026-11-24 17:30 UTC is already the 25th in Beijing.
    expect(localDate(Date.parse('2026-11-24T17:30:00Z'))).toBe('2026-11-25')
  })
})

describe('selection', () => {
  const printer = { id: 'xprinter-xp-t58h', vendor: 'Xprinter (芯烨)', model: 'XP-T58H' }
  const kiosk = (over: Partial<Candidate> = {}): Candidate => ({
    id: 'k1',
    machineType: 'id',
    department: 'public-security',
    siteId: 'site-a',
    appVersion: '1.4.0',
    online: true,
    peripherals: [{ vendor: 'Xprinter', model: 'XP-T58H', firmware: '2.0', state: 'online' }],
    ...over,
  })
  const artifact = (over: Partial<ArtifactInfo> = {}): ArtifactInfo => ({
    id: 'art_1',
    kind: 'firmware',
    version: '2.1',
    vendor: 'xprinter',
    deviceModel: printer.id,
    targetPath: 'firmware/xprinter/xprinter-xp-t58h/fw-2.1.bin',
    status: 'ready',
    compatibility: {},
    approvedDepartments: ['public-security'],
    ...over,
  })
  const models = { filter: [], artifact: printer }

  it('matches reported peripherals to registry models without case or punctuation', () => {
    expect(peripheralIsModel({ vendor: 'XPRINTER', model: 'xp t58h' }, printer)).toBe(true)
    expect(peripheralIsModel({ vendor: '芯烨', model: 'XP-T58H' }, printer)).toBe(true)
    expect(peripheralIsModel({ vendor: 'Epson', model: 'XP-T58H' }, printer)).toBe(false)
    expect(peripheralIsModel({ vendor: 'Xprinter', model: 'XP-58IIH' }, printer)).toBe(false)
    const noted = {
      id: 'epson-tm-t88v',
      vendor: 'Epson',
      model: 'TM-T88V (USB id shared with TM-T70 and other TM models)',
    }
    expect(peripheralIsModel({ vendor: 'Epson', model: 'TM-T88V' }, noted)).toBe(true)
    expect(peripheralIsModel({ vendor: 'Epson', model: 'TM-T70' }, noted)).toBe(false)
  })
  it('selects a compatible kiosk of an approving department', () => {
    expect(classifyKiosk(kiosk(), EMPTY_FILTER, artifact(), models)).toBeUndefined()
  })
  it('filters on every non-empty field', () => {
    expect(classifyKiosk(kiosk(), { ...EMPTY_FILTER, machineTypes: ['tax'] }, artifact(), models)).toBe('filtered')
    expect(classifyKiosk(kiosk(), { ...EMPTY_FILTER, sites: ['site-b'] }, artifact(), models)).toBe('filtered')
    expect(classifyKiosk(kiosk(), { ...EMPTY_FILTER, firmware: ['2.0'] }, artifact(), models)).toBeUndefined()
    expect(classifyKiosk(kiosk(), { ...EMPTY_FILTER, firmware: ['1.0'] }, artifact(), models)).toBe('filtered')
    expect(classifyKiosk(kiosk(), { ...EMPTY_FILTER, appVersions: ['1.3.0'] }, artifact(), models)).toBe('filtered')
    expect(
      classifyKiosk(kiosk(), { ...EMPTY_FILTER, deviceModels: [printer.id] }, artifact(), {
        filter: [printer],
        artifact: printer,
      }),
    ).toBeUndefined()
  })
  it('excludes incompatible kiosks: machine type, app version, missing device', () => {
    const a = (compatibility: ArtifactInfo['compatibility']) => artifact({ compatibility })
    expect(classifyKiosk(kiosk(), EMPTY_FILTER, a({ machineTypes: ['tax'] }), models)).toBe('incompatible')
    expect(classifyKiosk(kiosk(), EMPTY_FILTER, a({ minAppVersion: '1.10.0' }), models)).toBe('incompatible')
    expect(classifyKiosk(kiosk(), EMPTY_FILTER, a({ minAppVersion: '1.3.9' }), models)).toBeUndefined()
    expect(classifyKiosk(kiosk({ peripherals: [] }), EMPTY_FILTER, artifact(), models)).toBe('incompatible')
    expect(classifyKiosk(kiosk({ peripherals: [] }), EMPTY_FILTER, artifact({ kind: 'app' }), models)).toBeUndefined()
  })
  it('fits firmware for named hardware revisions only to a device that reported one of them', () => {
    const fw = artifact({ compatibility: { hwRevisions: ['M244A'] } })
    const withRevision = (hwRevision: string | null) =>
      kiosk({ peripherals: [{ vendor: 'Xprinter', model: 'XP-T58H', firmware: '2.0', state: 'online', hwRevision }] })
    expect(classifyKiosk(withRevision('M244A'), EMPTY_FILTER, fw, models)).toBeUndefined()
    expect(classifyKiosk(withRevision('M267A'), EMPTY_FILTER, fw, models)).toBe('incompatible')
    // A device that never said which revision it is gets no revision-specific firmware.
    expect(classifyKiosk(withRevision(null), EMPTY_FILTER, fw, models)).toBe('incompatible')
    expect(classifyKiosk(withRevision(null), EMPTY_FILTER, artifact(), models)).toBeUndefined()
  })
  it('takes a reported registry model id at its word, whatever the display names say', () => {
    expect(peripheralIsModel({ vendor: 'generic', model: 'ESC/POS 80 mm', modelId: printer.id }, printer)).toBe(true)
    // The display names alone would match; the model id says it is another model.
    expect(peripheralIsModel({ vendor: 'Xprinter', model: 'XP-T58H', modelId: 'generic-escpos-80mm' }, printer)).toBe(
      false,
    )
  })
  it('says why a kiosk is incompatible: a reason, what it has against what the artifact needs, a sentence', () => {
    const a = (compatibility: ArtifactInfo['compatibility']) => artifact({ compatibility })
    expect(incompatibility(kiosk(), a({ machineTypes: ['tax'] }), printer)).toEqual({
      reason: 'machineTypeMismatch',
      has: ['id'],
      needs: ['tax'],
      detail: 'machine type id, the artifact is for tax',
    })
    expect(incompatibility(kiosk(), a({ minAppVersion: '1.10.0' }), printer)).toEqual({
      reason: 'appTooOld',
      has: ['1.4.0'],
      needs: ['1.10.0'],
      detail: 'app 1.4.0, the artifact needs 1.10.0 or later',
    })
    const generic = kiosk({
      peripherals: [
        { vendor: 'generic', model: 'ESC/POS', modelId: 'generic-escpos-80mm', firmware: '1.0', state: 'online' },
      ],
    })
    expect(incompatibility(generic, artifact(), printer)).toEqual({
      reason: 'modelMismatch',
      has: ['generic-escpos-80mm'],
      needs: ['xprinter-xp-t58h'],
      detail: 'no xprinter-xp-t58h (it has generic-escpos-80mm)',
    })
    expect(incompatibility(kiosk({ peripherals: [] }), artifact(), printer)).toMatchObject({
      reason: 'modelMismatch',
      has: [],
      detail: 'no xprinter-xp-t58h (it has no devices)',
    })
    const revB = kiosk({
      peripherals: [{ vendor: 'Xprinter', model: 'XP-T58H', firmware: '2.0', state: 'online', hwRevision: 'B' }],
    })
    expect(incompatibility(revB, a({ hwRevisions: ['A'] }), printer)).toEqual({
      reason: 'hwRevisionMismatch',
      has: ['B'],
      needs: ['A'],
      detail: 'xprinter-xp-t58h hardware revision B, the artifact is for A',
    })
    expect(incompatibility(kiosk(), artifact(), printer)).toBeUndefined()
  })
  it('lists every left-out kiosk with its reason, not approved ones too; filtered kiosks are not left out', () => {
    const generic = kiosk({
      id: 'k-2',
      peripherals: [
        { vendor: 'generic', model: 'ESC/POS', modelId: 'generic-escpos-80mm', firmware: '1.0', state: 'online' },
      ],
    })
    const tax = kiosk({ id: 'k-3', department: 'tax' })
    const elsewhere = kiosk({ id: 'k-4', siteId: 'site-b' })
    const selection = selectKiosks(
      [kiosk(), generic, tax, elsewhere],
      { ...EMPTY_FILTER, sites: ['site-a'] },
      artifact(),
      models,
    )
    expect(selection).toEqual({
      selected: ['k1'],
      matched: 3,
      excluded: { incompatible: 1, notApproved: 1 },
      leftOut: [
        {
          kioskId: 'k-2',
          reason: 'modelMismatch',
          has: ['generic-escpos-80mm'],
          needs: ['xprinter-xp-t58h'],
          detail: 'no xprinter-xp-t58h (it has generic-escpos-80mm)',
        },
        {
          kioskId: 'k-3',
          reason: 'notApproved',
          has: ['tax'],
          needs: ['public-security'],
          detail: 'department tax has not approved the artifact (approved for public-security)',
        },
      ],
    })
  })
  it('excludes kiosks of departments that have not approved the artifact', () => {
    expect(classifyKiosk(kiosk({ department: 'tax' }), EMPTY_FILTER, artifact(), models)).toBe('notApproved')
  })
})
