import { isAppError } from '@drivers/core'
import { describe, expect, it } from 'vitest'
import { decodeCardPhoto, encodeTestPhoto, testContainerPhotoDecoder } from './card-photo.ts'

const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9])

describe('card photo decoding', () => {
  it('round-trips the documented test container', () => {
    const photo = encodeTestPhoto(jpeg, 'image/jpeg')
    expect(photo.length).toBe(1024)
    expect(decodeCardPhoto(photo, [testContainerPhotoDecoder])).toEqual({ mimeType: 'image/jpeg', bytes: jpeg })
  })

  it('refuses a real WLT photo with a clear error when no vendor decoder is installed', () => {
    const wlt = new Uint8Array(1024)
    wlt.set([0x57, 0x4c, 0x66, 0x00, 0x7e, 0x00])
    try {
      decodeCardPhoto(wlt, [testContainerPhotoDecoder])
      expect.unreachable()
    } catch (err) {
      expect(isAppError(err, 'ERR_KIOSK_PHOTO_DECODER_MISSING')).toBe(true)
      expect((err as Error).message).toMatch(/WLT/)
    }
  })

  it('refuses a truncated container', () => {
    const photo = encodeTestPhoto(jpeg, 'image/jpeg')
    photo[5] = 0xff
    expect(() => decodeCardPhoto(photo, [testContainerPhotoDecoder])).toThrow(/malformed/)
  })

  it('refuses images that do not fit the card', () => {
    expect(() => encodeTestPhoto(new Uint8Array(1020), 'image/jpeg')).toThrow(TypeError)
  })
})
