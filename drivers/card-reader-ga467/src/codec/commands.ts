import type { Result } from '@drivers/core'
import { fail, ok } from '@drivers/core'
import {
  BAUD_RATES,
  CMD_CARD,
  CMD_READ,
  CMD_SAM,
  CMD_SAM_ID,
  CMD_SAM_STATUS,
  CMD_SET_BAUD,
  CMD_SET_RF_FRAME,
  PARA_FIND,
  PARA_NONE,
  PARA_READ_ADDITIONAL_ADDRESS,
  PARA_READ_TEXT_PHOTO,
  PARA_READ_WITH_FINGERPRINT,
  PARA_SELECT,
  type SamBaudRate,
} from './constants.ts'
import { encodeFrame } from './frame.ts'

/** Host → SAM commands of §1.3, a discriminated union on `type`. */
export type SamCommand =
  | { type: 'resetSam' }
  | { type: 'samStatus' }
  | { type: 'readSamId' }
  | { type: 'findCard' }
  | { type: 'selectCard' }
  | { type: 'readCard' }
  | { type: 'readAdditionalAddress' }
  | { type: 'readCardWithFingerprint' }
  | { type: 'setBaudRate'; baudRate: SamBaudRate }
  | { type: 'setRfFrameSize'; size: number }

export type SamCommandType = SamCommand['type']

/** A well-framed command the table does not know (the SAM answers it with SW3 = 21). */
export interface UnknownSamCommand {
  type: 'unknown'
  cmd: number
  para: number
  data: Uint8Array
}

const SIMPLE: Record<Exclude<SamCommandType, 'setBaudRate' | 'setRfFrameSize'>, readonly [number, number]> = {
  resetSam: [CMD_SAM, PARA_NONE],
  samStatus: [CMD_SAM_STATUS, PARA_NONE],
  readSamId: [CMD_SAM_ID, PARA_NONE],
  findCard: [CMD_CARD, PARA_FIND],
  selectCard: [CMD_CARD, PARA_SELECT],
  readCard: [CMD_READ, PARA_READ_TEXT_PHOTO],
  readAdditionalAddress: [CMD_READ, PARA_READ_ADDITIONAL_ADDRESS],
  readCardWithFingerprint: [CMD_READ, PARA_READ_WITH_FINGERPRINT],
}

/** The CMD Para Data body of a command. */
export function encodeCommandBody(command: SamCommand): Uint8Array {
  switch (command.type) {
    case 'setBaudRate': {
      const index = BAUD_RATES.indexOf(command.baudRate)
      if (index < 0) throw new TypeError(`setBaudRate.baudRate must be one of ${BAUD_RATES.join(', ')}`)
      return Uint8Array.of(CMD_SET_BAUD, index)
    }
    case 'setRfFrameSize':
      if (!Number.isInteger(command.size) || command.size < 0 || command.size > 0xff) {
        throw new TypeError(`setRfFrameSize.size must be an integer 0..255, got ${command.size}`)
      }
      return Uint8Array.of(CMD_SET_RF_FRAME, PARA_NONE, command.size)
    default: {
      const [cmd, para] = SIMPLE[command.type]
      return Uint8Array.of(cmd, para)
    }
  }
}

/** A full host → SAM frame, e.g. findCard → `AA AA AA 96 69 00 03 20 01 22`. */
export function encodeCommand(command: SamCommand): Uint8Array {
  return encodeFrame(encodeCommandBody(command))
}

/** The device side: a frame body from the host as a typed command (emulator). */
export function decodeCommand(body: Uint8Array): Result<SamCommand | UnknownSamCommand> {
  if (body.length < 2) return fail('invalidData', `command body of ${body.length} bytes is shorter than CMD Para`)
  const cmd = body[0]!
  const para = body[1]!
  const data = body.slice(2)
  if (cmd === CMD_SET_BAUD && data.length === 0) {
    const baudRate = BAUD_RATES[para]
    if (baudRate !== undefined) return ok({ type: 'setBaudRate', baudRate })
  }
  if (cmd === CMD_SET_RF_FRAME && para === PARA_NONE && data.length === 1) {
    return ok({ type: 'setRfFrameSize', size: data[0]! })
  }
  if (data.length === 0) {
    for (const [type, [c, p]] of Object.entries(SIMPLE)) {
      if (c === cmd && p === para) return ok({ type } as SamCommand)
    }
  }
  return ok({ type: 'unknown', cmd, para, data })
}
