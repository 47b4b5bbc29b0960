import type { ReceiptPrinterQuirks } from '@drivers/core'
import { type EscPosProfile, profileForWidth } from './profile.ts'

/** A registry entry's `quirks.escpos` over the generic profile of its paper width. */
export function profileFromQuirks(quirks: ReceiptPrinterQuirks): EscPosProfile {
  if (quirks.paperWidthMm !== 58 && quirks.paperWidthMm !== 80) {
    throw new TypeError(`quirks.escpos.paperWidthMm must be 58 or 80, got ${String(quirks.paperWidthMm)}`)
  }
  const profile: EscPosProfile = { ...profileForWidth(quirks.paperWidthMm) }
  const { paperWidthMm: _width, ...rest } = quirks
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined) Object.assign(profile, { [key]: value })
  }
  return profile
}
