import { fail, ok, type SmartCardResult } from '@drivers/core'
import type { Logger } from 'pino'
import {
  type CommandApdu,
  decodeResponseApdu,
  encodeCommandApdu,
  getResponse,
  pcscFailureDetail,
  type ResponseApdu,
  statusWordMeaning,
  swHex,
} from '../codec/index.ts'
import type { PcscReader } from './pcsc.ts'

export type CardResult<T> = SmartCardResult<T>

/**
 * One connected card: sends APDUs with a timeout, follows 61xx with GET RESPONSE and 6Cxx with the
 * exact Le, and turns PC/SC errors into failures (asking the reader whether the card is still
 * there when a transmit fails, so a card pulled mid-read reads as `mediaRemoved`). Logs INS and
 * SW only: command data can be a PIN and response data is personal.
 */
export class ApduSession {
  readonly #reader: PcscReader
  readonly #log: Logger
  readonly #timeoutMs: number
  readonly #onApdu: () => void

  constructor(reader: PcscReader, log: Logger, timeoutMs: number, onApdu: () => void) {
    this.#reader = reader
    this.#log = log
    this.#timeoutMs = timeoutMs
    this.#onApdu = onApdu
  }

  async exchange(command: CommandApdu): Promise<CardResult<ResponseApdu>> {
    let apdu = command
    for (let attempt = 0; attempt < 3; attempt++) {
      const sent = await this.#transmit(apdu)
      if (!sent.ok) return sent
      const meaning = statusWordMeaning(sent.value.sw)
      if (meaning.kind === 'wrongLe') {
        apdu = { ...command, le: meaning.exact }
        continue
      }
      if (meaning.kind === 'moreData') {
        const rest = await this.#transmit(getResponse(meaning.available))
        if (!rest.ok) return rest
        return ok({ ...rest.value, data: Uint8Array.from([...sent.value.data, ...rest.value.data]) })
      }
      return sent
    }
    return fail('commandError', 'the card kept asking for another length (6Cxx)', 'readFailed')
  }

  async #transmit(command: CommandApdu): Promise<CardResult<ResponseApdu>> {
    this.#onApdu()
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#timeoutMs)
    })
    try {
      const answer = await Promise.race([this.#reader.transmit(encodeCommandApdu(command)), timeout])
      if (answer === 'timeout')
        return fail('timeout', `the card did not answer within ${this.#timeoutMs} ms`, 'readFailed')
      const response = decodeResponseApdu(answer)
      if (!response) {
        // vpcd and some readers hand back an empty response when the card went away mid-exchange.
        if (await this.#cardGone()) return fail('commandError', 'the card was removed during the read', 'mediaRemoved')
        return fail('invalidData', 'the card sent a response shorter than a status word', 'readFailed')
      }
      this.#log.debug({ ins: command.ins.toString(16), sw: swHex(response.sw), len: response.data.length }, 'apdu')
      return ok(response)
    } catch (err) {
      const message = (err as Error).message
      let detail = pcscFailureDetail(message)
      if (detail === 'readFailed' && (await this.#cardGone())) detail = 'mediaRemoved'
      this.#log.warn({ ins: command.ins.toString(16), detail, pcsc: message }, 'transmit failed')
      if (detail === 'mediaRemoved') return fail('commandError', 'the card was removed during the read', detail)
      return fail(detail === 'readFailed' ? 'hardwareError' : 'deviceNotReady', message, detail)
    } finally {
      clearTimeout(timer)
    }
  }

  /** pcscd notices a removal on its next presence poll, so ask a few times before deciding. */
  async #cardGone(): Promise<boolean> {
    for (let attempt = 0; attempt < 6; attempt++) {
      if (!(await this.#reader.present())) return true
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    return false
  }
}
