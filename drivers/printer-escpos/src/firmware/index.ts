export * from './bootloader.ts'
export * from './crc16.ts'
export * from './image.ts'
/** XMODEM control bytes (SOH, EOT, ACK, NAK, CAN …) are under `Xmodem` so they do not clash with ESC/POS's EOT. */
export * as Xmodem from './xmodem.ts'
export {
  type DecodedBlock,
  decodeBlock,
  encodeBlock,
  XmodemReceiver,
  type XmodemReceiverEvent,
  type XmodemReceiverFailure,
  type XmodemReceiverOptions,
  XmodemSender,
  type XmodemSenderEvent,
  type XmodemSenderFailure,
  type XmodemSenderOptions,
} from './xmodem.ts'
