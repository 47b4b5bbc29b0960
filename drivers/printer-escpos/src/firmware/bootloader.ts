import { GS } from '../codec/constants.ts'
import { REPLY_USER_SETTING } from '../codec/user-settings.ts'

/**
 * OUR emulated vendors' bootloader convention (real vendors' firmware tools are closed):
 *
 * 1. The host sends `1D 28 45 03 00 7E 42 4C` — GS ( E with fn 0x7E ("BL"), a function number
 *    Epson leaves unused. A printer that supports it answers `37 7E <model id> 00` (the registry
 *    id the firmware must be built for) and enters its bootloader; one that does not stays silent,
 *    so the driver reports `unsupported`.
 * 2. The bootloader is an XMODEM-1K/CRC receiver (xmodem.ts): it sends `C` until the first block.
 *    It checks the image header (image.ts) in the first block and cancels (`CAN CAN`) a wrong model
 *    or a bad magic at once; after EOT it checks the length and sha256.
 * 3. Verdict: ACK to EOT = accepted; the printer writes the image, restarts, and reports the new
 *    version with GS I 0x41. Refused: `CAN CAN` then `37 7F <reason> 00` (reasons below), and the
 *    printer returns to normal operation on its old firmware. A transfer that stops (host gone,
 *    unplugged) times out in the bootloader and the old firmware stays.
 */
export const GS_ENTER_BOOTLOADER = [GS, 0x28, 0x45, 0x03, 0x00, 0x7e, 0x42, 0x4c] as const
export const USER_FN_BOOTLOADER = 0x7e
export const REPLY_ID_BOOTLOADER = 0x7e
export const REPLY_ID_REFUSED = 0x7f

export type BootloaderRefusal = 'wrongModel' | 'badMagic' | 'badHeader' | 'checksum' | 'truncated' | 'tooLarge'

export function encodeBootloaderReady(model: string): Uint8Array {
  return Uint8Array.of(REPLY_USER_SETTING, REPLY_ID_BOOTLOADER, ...Buffer.from(model, 'latin1'), 0)
}

export function encodeBootloaderRefusal(reason: string): Uint8Array {
  return Uint8Array.of(REPLY_USER_SETTING, REPLY_ID_REFUSED, ...Buffer.from(reason, 'latin1'), 0)
}
