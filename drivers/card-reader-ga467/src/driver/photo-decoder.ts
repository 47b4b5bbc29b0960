/**
 * WLT photos (§1.9) need a vendor library (WltRS.dll, libwltu.so, ZKTeco WLTService). The driver
 * returns the 1024 bytes as they are; a kiosk that has a vendor decoder plugs it in here.
 */
export interface WltPhotoDecoder {
  readonly name: string
  /** WLT bytes → an image (102×126 BMP for the usual decoders). */
  decode(wlt: Uint8Array): Promise<{ mimeType: string; bytes: Uint8Array }>
}
