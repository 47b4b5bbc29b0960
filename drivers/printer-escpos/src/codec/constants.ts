/**
 * ESC/POS control bytes and command prefixes. Sections refer to docs/device-protocols.md §2
 * (python-escpos `constants.py`, Epson ESC/POS application programming guide).
 */
export const NUL = 0x00
export const LF = 0x0a
export const DLE = 0x10
export const EOT = 0x04
export const ENQ = 0x05
export const DC4 = 0x14
export const ESC = 0x1b
export const FS = 0x1c
export const GS = 0x1d

/** §2.1 ESC @: initialise, clears buffer and modes. */
export const INIT = [ESC, 0x40] as const
/** §2.1 ESC a n: justification 0 left, 1 centre, 2 right. */
export const ESC_ALIGN = [ESC, 0x61] as const
/** §2.1 ESC E n: emphasised (bold) on when n & 1. */
export const ESC_BOLD = [ESC, 0x45] as const
/** §2.1 ESC - n: underline 0 / 1 / 2 dots. */
export const ESC_UNDERLINE = [ESC, 0x2d] as const
/** §2.1 ESC ! n: print mode. */
export const ESC_PRINT_MODE = [ESC, 0x21] as const
/** §2.1 ESC M n: font A / B. */
export const ESC_FONT = [ESC, 0x4d] as const
/** §2.1 ESC d n: print and feed n lines. */
export const ESC_FEED_LINES = [ESC, 0x64] as const
/** §2.1 ESC t n: single-byte code table. */
export const ESC_CODE_TABLE = [ESC, 0x74] as const
/** §2.1 GS ! n: character size, high nibble width − 1, low nibble height − 1. */
export const GS_CHAR_SIZE = [GS, 0x21] as const
/** §2.1 GS B n: white/black reverse. */
export const GS_REVERSE = [GS, 0x42] as const
/** §2.1 GS V m [n]: cut. 0x41 = feed n then full cut, 0x42 = feed n then partial cut. */
export const GS_CUT = [GS, 0x56] as const
export const CUT_FULL = 0x00
export const CUT_PARTIAL = 0x01
export const CUT_FEED_FULL = 0x41
export const CUT_FEED_PARTIAL = 0x42

/** §2.2 FS &: Chinese (Kanji) mode on; FS .: off; FS ! n: Chinese print mode; FS C n: code system. */
export const FS_CHINESE_ON = [FS, 0x26] as const
export const FS_CHINESE_OFF = [FS, 0x2e] as const
export const FS_CHINESE_MODE = [FS, 0x21] as const
export const FS_CODE_SYSTEM = [FS, 0x43] as const
/** FS ! bits: double width, double height, underline. */
export const FS_MODE_DOUBLE_WIDTH = 0x04
export const FS_MODE_DOUBLE_HEIGHT = 0x08
export const FS_MODE_UNDERLINE = 0x80

/** §2.3 GS ( k: 2-D symbol functions, cn = 0x31 (QR). */
export const GS_2D = [GS, 0x28, 0x6b] as const
export const QR_CN = 0x31
export const QR_FN_MODEL = 0x41
export const QR_FN_MODULE_SIZE = 0x43
export const QR_FN_ERROR_CORRECTION = 0x45
export const QR_FN_STORE = 0x50
export const QR_FN_PRINT = 0x51
export const QR_MODEL_2 = 0x32
/** Error-correction n: 0x30 L, 0x31 M, 0x32 Q, 0x33 H. */
export const QR_ECC_BASE = 0x30
/** Store-data bytes the GS ( k length field allows: 7089 QR bytes + 3 header bytes ≤ 65535. */
export const QR_MAX_DATA = 7089

/** §2.3 GS k m n d…: 1-D barcode, format B (m = 65…78). */
export const GS_BARCODE = [GS, 0x6b] as const
export const GS_BARCODE_HEIGHT = [GS, 0x68] as const
export const GS_BARCODE_WIDTH = [GS, 0x77] as const
export const GS_BARCODE_HRI = [GS, 0x48] as const
export const GS_BARCODE_HRI_FONT = [GS, 0x66] as const

/** GS v 0 m xL xH yL yH d…: raster bit image. */
export const GS_RASTER = [GS, 0x76, 0x30] as const

/** §2.4 DLE EOT n: real-time status, n = 1 printer, 2 offline cause, 3 error cause, 4 roll paper. */
export const DLE_EOT = [DLE, EOT] as const
/** §2.4 DLE ENQ n: real-time request, 1 = recover and resume, 2 = recover and clear buffers. */
export const DLE_ENQ = [DLE, ENQ] as const
/** DLE DC4 fn=8: clear the receive and print buffers (Epson TM series, real-time). */
export const DLE_DC4_CLEAR_BUFFERS = [DLE, DC4, 0x08, 0x01, 0x03, 0x14, 0x01, 0x06, 0x02, 0x08] as const
/** §2.4 GS a n: Automatic Status Back; bits 0 drawer, 1 online/offline, 2 error, 3 roll sensor. */
export const GS_ASB = [GS, 0x61] as const
export const ASB_ALL = 0x0f
/** §2.4 GS r n: transmit status (processed in order, after everything before it has printed). */
export const GS_TRANSMIT_STATUS = [GS, 0x72] as const
export const TRANSMIT_PAPER_STATUS = 0x01
