import type { ReceiptAlign, ReceiptDocument, ReceiptElement, ReceiptTextStyle } from '@drivers/core'
import { INIT } from './constants.ts'
import {
  encodeAlign,
  encodeBarcode,
  encodeBold,
  encodeCharSize,
  encodeChineseMode,
  encodeCut,
  encodeFeedLines,
  encodeQrCode,
  encodeRasterImage,
  encodeUnderline,
} from './encode-elements.ts'
import { columnsPerLine, type EscPosProfile } from './profile.ts'
import { qrModules, qrVersionFor } from './qr-size.ts'
import { gbCodec, needsChineseMode, type TextCodec, textColumns } from './text-codec.ts'

export interface EncodeReceiptOptions {
  profile: EscPosProfile
  /** Defaults to the profile's GB encoding through iconv-lite. */
  textCodec?: TextCodec
  /** Start with ESC @ (default true). */
  initialize?: boolean
}

/** The bytes plus what they will use up, for health counters and paper estimates. */
export interface EncodedReceipt {
  bytes: Uint8Array
  lines: number
  /** Estimated paper advance in dots. */
  feedDots: number
  cuts: number
}

interface PrinterState {
  align: ReceiptAlign
  bold: boolean
  underline: boolean
  width: number
  height: number
}

const initialState = (): PrinterState => ({ align: 'left', bold: false, underline: false, width: 1, height: 1 })

/**
 * Renders a ReceiptDocument to ESC/POS. Pure: no I/O, no timers. Mode commands are sent only when
 * they change, so the bytes for one element depend on the elements before it (as on the printer).
 */
export class ReceiptEncoder {
  readonly #profile: EscPosProfile
  readonly #text: TextCodec
  #out: number[] = []
  #state = initialState()
  #lines = 0
  #feedDots = 0
  #cuts = 0

  constructor(options: EncodeReceiptOptions) {
    this.#profile = options.profile
    this.#text = options.textCodec ?? gbCodec(options.profile.encoding)
  }

  encode(document: ReceiptDocument, initialize = true): EncodedReceipt {
    this.#out = []
    this.#state = initialState()
    this.#lines = 0
    this.#feedDots = 0
    this.#cuts = 0
    if (initialize) {
      this.#out.push(...INIT)
      if (this.#profile.codeSystem !== undefined) this.#out.push(0x1c, 0x43, this.#profile.codeSystem)
    }
    document.elements.forEach((element, index) => {
      try {
        this.#element(element)
      } catch (err) {
        if (err instanceof TypeError) throw new TypeError(`elements[${index}] (${element.type}): ${err.message}`)
        throw err
      }
    })
    return { bytes: Uint8Array.from(this.#out), lines: this.#lines, feedDots: this.#feedDots, cuts: this.#cuts }
  }

  #element(element: ReceiptElement): void {
    const p = this.#profile
    switch (element.type) {
      case 'text':
        this.#textLine(element.text, element)
        return
      case 'pair':
        this.#textLine(this.#pairLine(element.left, element.right), { bold: element.bold ?? false })
        return
      case 'separator': {
        const char = element.char ?? '-'
        if ([...char].length !== 1) throw new TypeError('char must be one character')
        this.#textLine(char.repeat(Math.floor(columnsPerLine(p) / textColumns(char))), {})
        return
      }
      case 'barcode': {
        this.#setAlign(element.align ?? 'center')
        this.#out.push(...encodeBarcode(element))
        const hri = element.hri ?? 'below'
        const hriLines = hri === 'both' ? 2 : hri === 'none' ? 0 : 1
        this.#feedDots += (element.height ?? 80) + hriLines * p.lineSpacingDots
        return
      }
      case 'qr': {
        if (!p.qrCode) throw new TypeError('this printer model cannot print QR codes (profile.qrCode is false)')
        this.#setAlign(element.align ?? 'center')
        this.#out.push(...encodeQrCode(element))
        const ecc = element.errorCorrection ?? 'M'
        const version = qrVersionFor(new TextEncoder().encode(element.data).length, ecc) ?? 40
        this.#feedDots += qrModules(version) * (element.moduleSize ?? 6)
        return
      }
      case 'image':
        this.#setAlign(element.align ?? 'center')
        this.#out.push(...encodeRasterImage(element, p.dotsPerLine, p.rasterBandRows))
        this.#feedDots += element.height
        return
      case 'feed':
        this.#out.push(...encodeFeedLines(element.lines))
        this.#feedDots += element.lines * p.lineSpacingDots
        return
      case 'cut':
        if (p.feedBeforeCutLines > 0) this.#out.push(...encodeFeedLines(p.feedBeforeCutLines))
        this.#feedDots += p.feedBeforeCutLines * p.lineSpacingDots
        if (p.cutter === 'none') return
        this.#out.push(...encodeCut((element.partial ?? false) && p.cutter === 'partial'))
        this.#cuts++
        return
      default: {
        const unknown: { type?: unknown } = element
        throw new TypeError(`unknown element type ${String(unknown.type)}`)
      }
    }
  }

  #pairLine(left: string, right: string): string {
    const columns = columnsPerLine(this.#profile)
    const gap = columns - textColumns(left) - textColumns(right)
    return gap >= 1 ? `${left}${' '.repeat(gap)}${right}` : `${left} ${right}`
  }

  #setAlign(align: ReceiptAlign): void {
    if (this.#state.align !== align) this.#out.push(...encodeAlign(align))
    this.#state.align = align
  }

  #textLine(text: string, style: ReceiptTextStyle): void {
    const s = this.#state
    const { bold = false, underline = false, width = 1, height = 1 } = style
    if (/[\r\n]/.test(text)) throw new TypeError('text must be one line; use one element per line')
    this.#setAlign(style.align ?? 'left')
    if (s.bold !== bold) this.#out.push(...encodeBold(bold))
    if (s.underline !== underline) this.#out.push(...encodeUnderline(underline))
    if (s.width !== width || s.height !== height) this.#out.push(...encodeCharSize(width, height))
    Object.assign(s, { bold, underline, width, height })
    const chinese = this.#profile.chineseMode === 'command' && needsChineseMode(text)
    if (chinese) this.#out.push(...encodeChineseMode(true))
    for (const b of this.#text.encode(text)) this.#out.push(b)
    if (chinese) this.#out.push(...encodeChineseMode(false))
    this.#out.push(0x0a)
    const wrapped = Math.max(1, Math.ceil((textColumns(text) * width) / columnsPerLine(this.#profile)))
    this.#lines += wrapped
    const lineDots = this.#profile.lineSpacingDots + 24 * (height - 1)
    this.#feedDots += wrapped * lineDots
  }
}

export function encodeReceipt(document: ReceiptDocument, options: EncodeReceiptOptions): EncodedReceipt {
  return new ReceiptEncoder(options).encode(document, options.initialize ?? true)
}
