import { describe, expect, it } from 'vitest'
import { generic58mm, generic80mm } from './profile.ts'
import { profileFromQuirks } from './profile-from-quirks.ts'

describe('profileFromQuirks', () => {
  it('starts from the generic profile of the paper width and applies the given quirks', () => {
    expect(profileFromQuirks({ paperWidthMm: 80 })).toEqual(generic80mm)
    const xprinter = profileFromQuirks({ paperWidthMm: 58, chineseMode: 'alwaysOn', automaticStatusBack: false })
    expect(xprinter).toEqual({ ...generic58mm, chineseMode: 'alwaysOn', automaticStatusBack: false })
  })

  it('refuses an unknown paper width', () => {
    expect(() => profileFromQuirks({ paperWidthMm: 76 as 80 })).toThrow(/paperWidthMm/)
  })
})

describe('profileFromQuirks for a 180 dpi head', () => {
  it('takes dots per line and per mm from the quirks', () => {
    const p = profileFromQuirks({ paperWidthMm: 80, dotsPerLine: 512, dotsPerMm: 7.09 })
    expect(p.dotsPerLine).toBe(512)
    expect(Math.floor(p.dotsPerLine / p.fontAWidthDots)).toBe(42)
  })
})
