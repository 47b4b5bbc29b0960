/** Protocol bytes of barcode scanners (docs/device-protocols.md §3). */

/** §3.1 Boot keyboard report: [modifiers][reserved][k1..k6]. */
export const KEYBOARD_REPORT_SIZE = 8
export const MOD_LEFT_SHIFT = 0x02
export const MOD_RIGHT_SHIFT = 0x20
export const MOD_RIGHT_ALT = 0x40
export const MOD_SHIFT = MOD_LEFT_SHIFT | MOD_RIGHT_SHIFT
/** HID usage IDs (Usage Page 0x07) with a protocol meaning. */
export const USAGE_ERROR_ROLLOVER = 0x01
export const USAGE_ENTER = 0x28
export const USAGE_TAB = 0x2b
export const USAGE_KEYPAD_ENTER = 0x58

/** §3.2 HID POS (Usage Page 0x8C) input report 0x02 (Honeywell layout, NielsLeenheer/WebHidBarcodeScanner). */
export const HID_POS_USAGE_PAGE = 0x8c
export const HID_POS_REPORT_ID = 0x02
/** Payload bytes after the report ID. */
export const HID_POS_PAYLOAD_SIZE = 63
/** Data bytes one report carries: payload[4..59]. */
export const HID_POS_DATA_PER_REPORT = 56
/** payload[60]: Honeywell code ID. */
export const HID_POS_CODE_ID_OFFSET = 60
/** payload[62]: non-zero when more reports of the same scan follow. */
export const HID_POS_MORE_OFFSET = 62

/** §3.3 Honeywell serial trigger (manual-trigger mode): SYN T CR starts, SYN U CR stops. */
export const HONEYWELL_TRIGGER_START = Uint8Array.of(0x16, 0x54, 0x0d)
export const HONEYWELL_TRIGGER_STOP = Uint8Array.of(0x16, 0x55, 0x0d)
/** §3.3 GM65/GM812 single scan: 7E 00 08 01 00 02 01 AB CD (AB CD = no CRC check). */
export const GM65_TRIGGER = Uint8Array.of(0x7e, 0x00, 0x08, 0x01, 0x00, 0x02, 0x01, 0xab, 0xcd)
