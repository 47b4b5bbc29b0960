import { AppError } from '@drivers/core'
import { KioskErrorCodes } from '../errors.ts'

/**
 * The photo on a GA 467 card is WLT-compressed (1024 bytes, `WL` header); only vendor libraries
 * (WltRS.dll, libwltu.so) decode it. A decoder is a plugin; the kiosk ships none for WLT.
 */
export interface CardPhotoDecoder {
  readonly name: string
  /** Whether these bytes are this decoder's format. */
  accepts(photo: Uint8Array): boolean
  decode(photo: Uint8Array): { mimeType: string; bytes: Uint8Array }
}

/**
 * The documented test container the emulator's cards carry instead of WLT, so tests can decode a
 * card photo honestly: ASCII `KFTP` (kiosk-fleet test photo), one type byte (1 JPEG, 2 PNG, 3 WebP), a
 * big-endian uint16 length, the image, zero padding to the card's 1024 bytes. Real cards never
 * carry it; a real WLT photo is refused by this decoder.
 */
export const TEST_PHOTO_MAGIC = [0x4b, 0x46, 0x54, 0x50] as const
const TEST_PHOTO_TYPES: Record<number, string> = { 1: 'image/jpeg', 2: 'image/png', 3: 'image/webp' }

export const testContainerPhotoDecoder: CardPhotoDecoder = {
  name: 'kftp-test-container',
  accepts: (photo) => TEST_PHOTO_MAGIC.every((b, i) => photo[i] === b) && photo.length >= 7,
  decode(photo) {
    const mimeType = TEST_PHOTO_TYPES[photo[4] ?? 0]
    const length = ((photo[5] ?? 0) << 8) | (photo[6] ?? 0)
    if (!mimeType || 7 + length > photo.length) {
      throw new AppError(KioskErrorCodes.photoUndecodable, 'test photo container is malformed')
    }
    return { mimeType, bytes: photo.slice(7, 7 + length) }
  },
}

/** Packs an image into the test container (for fixtures and tests). */
export function encodeTestPhoto(
  image: Uint8Array,
  mimeType: 'image/jpeg' | 'image/png' | 'image/webp',
  size = 1024,
): Uint8Array {
  if (7 + image.length > size) throw new TypeError(`image of ${image.length} bytes does not fit a ${size}-byte photo`)
  const out = new Uint8Array(size)
  out.set(TEST_PHOTO_MAGIC, 0)
  out[4] = mimeType === 'image/jpeg' ? 1 : mimeType === 'image/png' ? 2 : 3
  out[5] = image.length >> 8
  out[6] = image.length & 0xff
  out.set(image, 7)
  return out
}

/** The first installed decoder that accepts the photo; none → ERR_KIOSK_PHOTO_DECODER_MISSING. */
export function decodeCardPhoto(
  photo: Uint8Array,
  decoders: readonly CardPhotoDecoder[],
): { mimeType: string; bytes: Uint8Array } {
  const decoder = decoders.find((d) => d.accepts(photo))
  if (!decoder) {
    const wlt = photo[0] === 0x57 && photo[1] === 0x4c
    throw new AppError(
      KioskErrorCodes.photoDecoderMissing,
      wlt
        ? 'the card photo is WLT-compressed and no vendor WLT decoder is installed'
        : 'no installed photo decoder accepts this card photo',
    )
  }
  return decoder.decode(photo)
}
