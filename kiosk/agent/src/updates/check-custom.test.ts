import { isAppError } from '@drivers/core'
import { describe, expect, it } from 'vitest'
import { checkCustom } from './update-service.ts'
import type { UpdateArtifact } from './update-state-store.ts'

const artifact: UpdateArtifact = { version: '2.0.0', target: 'app/2.0.0/kiosk-app-2.0.0.tar.gz', kind: 'app' }
const signed = (custom: Record<string, unknown>) => ({
  path: artifact.target,
  custom: { kind: 'app', version: '2.0.0', ...custom },
})

function codeOf(run: () => void): string | undefined {
  try {
    run()
    return undefined
  } catch (err) {
    return isAppError(err) ? err.code : 'not an AppError'
  }
}

describe('checkCustom: the signed target against the notification and this kiosk', () => {
  it('accepts a target that names what was asked and fits the kiosk', () => {
    const target = signed({ machineTypes: ['id', 'tax'], minAppVersion: '1.9.0' })
    expect(codeOf(() => checkCustom(artifact, target, { machineType: 'id', appVersion: '1.10.0' }))).toBeUndefined()
  })

  it('refuses a notification that disagrees with what was signed', () => {
    const target = signed({ version: '2.0.1' })
    expect(codeOf(() => checkCustom(artifact, target, { appVersion: '1.0.0' }))).toBe(
      'ERR_KIOSK_UPDATE_ARTIFACT_MISMATCH',
    )
  })

  it('refuses a target whose compatibility leaves this kiosk out: machine type, or an app older than minAppVersion', () => {
    expect(
      codeOf(() =>
        checkCustom(artifact, signed({ machineTypes: ['tax'] }), { machineType: 'id', appVersion: '1.0.0' }),
      ),
    ).toBe('ERR_KIOSK_UPDATE_INCOMPATIBLE')
    // Numeric, not text: 1.9.2 is older than 1.10.0.
    expect(
      codeOf(() =>
        checkCustom(artifact, signed({ minAppVersion: '1.10.0' }), { machineType: 'id', appVersion: '1.9.2' }),
      ),
    ).toBe('ERR_KIOSK_UPDATE_INCOMPATIBLE')
    expect(
      codeOf(() =>
        checkCustom(artifact, signed({ minAppVersion: '1.10.0' }), { machineType: 'id', appVersion: '1.10.0' }),
      ),
    ).toBeUndefined()
  })

  it('refuses firmware for a hardware revision this device does not have, or does not state', () => {
    const firmware: UpdateArtifact = {
      version: '1.3.0',
      target: 'firmware/xprinter/XP-58IIH/xp58-1.3.0.kfw',
      kind: 'firmware',
      device: { vendor: 'xprinter', model: 'XP-58IIH' },
    }
    const target = {
      path: firmware.target,
      custom: { kind: 'firmware', version: '1.3.0', deviceModel: 'XP-58IIH', hwRevisions: ['A2', 'A3'] },
    }
    const kiosk = { machineType: 'id', appVersion: '2.0.0' }
    expect(codeOf(() => checkCustom(firmware, target, { ...kiosk, hwRevision: 'A3' }))).toBeUndefined()
    expect(codeOf(() => checkCustom(firmware, target, { ...kiosk, hwRevision: 'B1' }))).toBe(
      'ERR_KIOSK_UPDATE_INCOMPATIBLE',
    )
    expect(codeOf(() => checkCustom(firmware, target, kiosk))).toBe('ERR_KIOSK_UPDATE_INCOMPATIBLE')
    // No revisions listed: any revision fits.
    const anyRevision = { ...target, custom: { ...target.custom, hwRevisions: [] } }
    expect(codeOf(() => checkCustom(firmware, anyRevision, kiosk))).toBeUndefined()
  })
})
