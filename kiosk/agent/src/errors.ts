/** Kiosk-side error codes (ERR_KIOSK_*), listed in docs/errors.md. */
export const KioskErrorCodes = {
  commandExpired: 'ERR_KIOSK_COMMAND_EXPIRED',
  clockSkew: 'ERR_KIOSK_CLOCK_SKEW',
  badRequest: 'ERR_KIOSK_BAD_REQUEST',
  unknownCommand: 'ERR_KIOSK_UNKNOWN_COMMAND',
  commandFailed: 'ERR_KIOSK_COMMAND_FAILED',
  unsupported: 'ERR_KIOSK_UNSUPPORTED',
  deviceConfig: 'ERR_KIOSK_DEVICE_CONFIG',
  backendConfig: 'ERR_KIOSK_BACKEND_CONFIG',
  uiStaticMissing: 'ERR_KIOSK_UI_STATIC_MISSING',
  updatesConfig: 'ERR_KIOSK_UPDATES_CONFIG',
  photoDecoderMissing: 'ERR_KIOSK_PHOTO_DECODER_MISSING',
  photoUndecodable: 'ERR_KIOSK_PHOTO_UNDECODABLE',
  identityConfig: 'ERR_KIOSK_IDENTITY_CONFIG',
  faceModelsMissing: 'ERR_KIOSK_FACE_MODELS_MISSING',
  mqttTls: 'ERR_KIOSK_MQTT_TLS',
  catalogueInvalid: 'ERR_KIOSK_CATALOGUE_INVALID',
} as const
