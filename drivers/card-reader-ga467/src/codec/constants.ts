/**
 * GA 467 SAM serial protocol constants (docs/device-protocols.md §1).
 * Protocol bytes are UPPER_SNAKE; each cites its section.
 */

/** §1.2 Preamble of every frame in both directions. */
export const PREAMBLE = Uint8Array.of(0xaa, 0xaa, 0xaa, 0x96, 0x69)
/** §1.2 Bytes of preamble + Len1 Len2 before the body. */
export const HEADER_SIZE = 7
/** §1.2 Shortest body: host CMD Para + CHK (3); SAM SW1 SW2 SW3 + CHK (4). */
export const MIN_LENGTH = 3
/**
 * Largest Len we accept. The largest legal reply is the 30 10 read with two fingerprints:
 * Len 0x090A = 2314 (§1.5). Anything beyond 4096 is line noise or a desynchronised stream.
 */
export const DEFAULT_MAX_LENGTH = 4096

/** §1.3 CMD bytes. */
export const CMD_SAM = 0x10
export const CMD_SAM_STATUS = 0x11
export const CMD_SAM_ID = 0x12
export const CMD_CARD = 0x20
export const CMD_READ = 0x30
export const CMD_SET_BAUD = 0x60
export const CMD_SET_RF_FRAME = 0x61

/** §1.3 Para bytes. */
export const PARA_NONE = 0xff
export const PARA_FIND = 0x01
export const PARA_SELECT = 0x02
export const PARA_READ_TEXT_PHOTO = 0x01
export const PARA_READ_ADDITIONAL_ADDRESS = 0x03
export const PARA_READ_WITH_FINGERPRINT = 0x10

/** §1.5 Fixed data sizes. */
export const TEXT_SIZE = 256
export const PHOTO_SIZE = 1024
export const FINGERPRINT_SIZE_PER_FINGER = 512
export const ADDITIONAL_ADDRESS_SIZE = 70
export const SAM_ID_SIZE = 16
export const FIND_DATA_SIZE = 4
export const SELECT_DATA_SIZE = 8

/** §1.3 Baud rates settable with 60 00..04, in Para order. */
export const BAUD_RATES = [115200, 57600, 38400, 19200, 9600] as const
export type SamBaudRate = (typeof BAUD_RATES)[number]
