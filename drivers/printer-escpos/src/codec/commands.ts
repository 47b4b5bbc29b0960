import type { ReceiptAlign, ReceiptBarcodeSymbology } from '@drivers/core'

/** Host → printer commands as the device side decodes them (constants.ts names the bytes). */
export type EscPosCommand =
  | { type: 'text'; bytes: Uint8Array }
  | { type: 'lineFeed' }
  | { type: 'init' }
  | { type: 'align'; align: ReceiptAlign }
  | { type: 'bold'; on: boolean }
  | { type: 'underline'; dots: number }
  | { type: 'printMode'; mode: number }
  | { type: 'font'; font: number }
  | { type: 'charSize'; width: number; height: number }
  | { type: 'reverse'; on: boolean }
  | { type: 'codeTable'; table: number }
  | { type: 'lineSpacing'; dots: number | undefined }
  | { type: 'feedLines'; lines: number }
  | { type: 'feedDots'; dots: number }
  | { type: 'chineseMode'; on: boolean }
  | { type: 'chinesePrintMode'; mode: number }
  | { type: 'codeSystem'; system: number }
  | { type: 'cut'; partial: boolean; feedDots: number }
  | { type: 'barcodeHeight'; dots: number }
  | { type: 'barcodeWidth'; dots: number }
  | { type: 'barcodeHri'; position: number }
  | { type: 'barcodeHriFont'; font: number }
  | { type: 'barcode'; symbology: ReceiptBarcodeSymbology | 'unknown'; code: number; data: Uint8Array }
  | { type: 'qrModel'; model: number }
  | { type: 'qrModuleSize'; size: number }
  | { type: 'qrErrorCorrection'; level: 'L' | 'M' | 'Q' | 'H' }
  | { type: 'qrStore'; data: Uint8Array }
  | { type: 'qrPrint' }
  | { type: 'raster'; widthBytes: number; height: number; mode: number; bits: Uint8Array }
  | { type: 'drawerPulse'; pin: number }
  | { type: 'realtimeStatus'; n: number }
  | { type: 'realtimeRequest'; n: number }
  | { type: 'clearBuffers' }
  | { type: 'asbEnable'; mask: number }
  | { type: 'transmitStatus'; n: number }
  /** GS ( E fn …: user setting commands (user-settings.ts) and our bootloader entry (fn 0x7E). */
  | { type: 'userSetting'; fn: number; data: Uint8Array }
  /** GS I n: transmit printer information. */
  | { type: 'printerInfo'; n: number }

/** Real-time commands act on receipt, before anything buffered prints (Epson "real-time commands"). */
export function isRealtimeCommand(command: EscPosCommand): boolean {
  return command.type === 'realtimeStatus' || command.type === 'realtimeRequest' || command.type === 'clearBuffers'
}
