import type { BarcodeSymbology } from '@drivers/core'

/**
 * AIM symbology identifiers (`]` + code character + modifier, ISO/IEC 15424) by code character,
 * and Honeywell's own code IDs (HID POS byte 60, NielsLeenheer/WebHidBarcodeScanner).
 */
const AIM_BY_CODE: Record<string, BarcodeSymbology> = {
  Q: 'qrCode',
  d: 'dataMatrix',
  L: 'pdf417',
  z: 'aztec',
  C: 'code128',
  A: 'code39',
  G: 'code93',
  F: 'codabar',
  E: 'ean13',
  I: 'interleaved2of5',
  e: 'gs1DataBar',
  h: 'hanXin',
}

const HONEYWELL_CODE_ID: Record<number, BarcodeSymbology> = {
  115: 'qrCode',
  119: 'dataMatrix',
  114: 'pdf417',
  122: 'aztec',
  106: 'code128',
  73: 'gs1128',
  98: 'code39',
  105: 'code93',
  97: 'codabar',
  100: 'ean13',
  68: 'ean8',
  99: 'upcA',
  69: 'upcE',
  101: 'interleaved2of5',
  121: 'gs1DataBar',
}

/** `]E4` is EAN-8 and `]C1` GS1-128: the modifier matters for those two. */
export function symbologyFromAim(aimId: string): BarcodeSymbology {
  if (aimId.length !== 3 || aimId[0] !== ']') return 'unknown'
  if (aimId === ']E4') return 'ean8'
  if (aimId === ']C1') return 'gs1128'
  return AIM_BY_CODE[aimId[1] ?? ''] ?? 'unknown'
}

export function symbologyFromHoneywellCodeId(codeId: number): BarcodeSymbology {
  return HONEYWELL_CODE_ID[codeId] ?? 'unknown'
}

/** The AIM identifier an emulator sends for a symbology (`]Z0`-style unknowns become `]X0`). */
export function aimIdFor(symbology: BarcodeSymbology): string {
  if (symbology === 'ean8') return ']E4'
  if (symbology === 'gs1128') return ']C1'
  for (const [code, name] of Object.entries(AIM_BY_CODE)) {
    if (name === symbology) return `]${code}${code === 'Q' ? '1' : '0'}`
  }
  return ']X0'
}

export function honeywellCodeIdFor(symbology: BarcodeSymbology): number {
  for (const [id, name] of Object.entries(HONEYWELL_CODE_ID)) if (name === symbology) return Number(id)
  return 0
}

/** A valid AIM identifier: `]`, a letter, a modifier character. */
export function isAimId(text: string): boolean {
  return /^\][A-Za-z][0-9A-Za-z]$/.test(text)
}
