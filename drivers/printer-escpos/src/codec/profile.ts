/**
 * What differs between ESC/POS printer models, as data (zigbee-herdsman-converters' quirk flags).
 * Registry entries carry a profile; the encoder and driver read it, never a model name.
 */
export type PaperWidthMm = 58 | 80

export interface EscPosProfile {
  paperWidthMm: PaperWidthMm
  /** Printable dots per line: 384 on 58 mm heads, 576 on 80 mm heads (203 dpi). */
  dotsPerLine: number
  /** Dots per mm along the paper (203 dpi ≈ 8). */
  dotsPerMm: number
  /** Font A is 12 dots wide for ASCII, 24 for Chinese. */
  fontAWidthDots: number
  /** Default line spacing in dots (ESC 2). */
  lineSpacingDots: number
  /**
   * `command`: wrap Chinese text in FS & … FS . (escpos-php `textChinese`);
   * `alwaysOn`: Chinese mode is on at power-up and cannot be left (many Chinese-market printers).
   */
  chineseMode: 'command' | 'alwaysOn'
  /** FS C n sent after ESC @ when the model needs its code system chosen (vendor-specific n). */
  codeSystem?: number
  /** Text encoding of the Chinese mode. */
  encoding: 'gb18030' | 'gbk'
  cutter: 'full' | 'partial' | 'none'
  /** Lines fed before the cut so the last line clears the cutter blade. */
  feedBeforeCutLines: number
  /** Model prints QR with GS ( k; otherwise the QR is refused (unsupported). */
  qrCode: boolean
  /** Rows per GS v 0 band: small receive buffers need images in slices. */
  rasterBandRows: number
  /** Answers DLE EOT real-time status. */
  realtimeStatus: boolean
  /** Supports GS a Automatic Status Back. */
  automaticStatusBack: boolean
  /** Supports DLE DC4 fn 8 (clear buffers) to drop the rest of a job after paper out. */
  clearBuffersCommand: boolean
}

const common = {
  dotsPerMm: 8,
  fontAWidthDots: 12,
  lineSpacingDots: 30,
  chineseMode: 'command',
  encoding: 'gb18030',
  cutter: 'partial',
  feedBeforeCutLines: 4,
  qrCode: true,
  rasterBandRows: 128,
  realtimeStatus: true,
  automaticStatusBack: true,
  clearBuffersCommand: true,
} as const satisfies Omit<EscPosProfile, 'paperWidthMm' | 'dotsPerLine'>

export const generic80mm: EscPosProfile = { ...common, paperWidthMm: 80, dotsPerLine: 576 }
export const generic58mm: EscPosProfile = { ...common, paperWidthMm: 58, dotsPerLine: 384, cutter: 'none' }

export function profileForWidth(widthMm: PaperWidthMm): EscPosProfile {
  return widthMm === 58 ? generic58mm : generic80mm
}

/** Columns of font A at scale 1: 48 on 80 mm, 32 on 58 mm. */
export function columnsPerLine(profile: EscPosProfile, widthScale = 1): number {
  return Math.floor(profile.dotsPerLine / (profile.fontAWidthDots * widthScale))
}
