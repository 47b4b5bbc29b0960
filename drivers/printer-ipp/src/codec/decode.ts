import { fail, ok, type Result } from '@drivers/core'
import { type GroupName, GroupTags, type ValueTagName, ValueTags } from './constants.ts'
import type { IppAttribute, IppGroup, IppMessage, IppValue } from './message.ts'

const groupNames = new Map<number, GroupName>(Object.entries(GroupTags).map(([name, tag]) => [tag, name as GroupName]))
const tagNames = new Map<number, ValueTagName>(
  Object.entries(ValueTags).map(([name, tag]) => [tag, name as ValueTagName]),
)

class Truncated extends Error {}

class Reader {
  readonly #view: DataView
  at = 0
  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  need(n: number): void {
    if (this.at + n > this.bytes.length) throw new Truncated(`needs ${n} bytes at offset ${this.at}`)
  }
  u8(): number {
    this.need(1)
    return this.#view.getUint8(this.at++)
  }
  u16(): number {
    this.need(2)
    const v = this.#view.getUint16(this.at)
    this.at += 2
    return v
  }
  i32(): number {
    this.need(4)
    const v = this.#view.getInt32(this.at)
    this.at += 4
    return v
  }
  take(n: number): Uint8Array {
    this.need(n)
    const v = this.bytes.subarray(this.at, this.at + n)
    this.at += n
    return v
  }
  peek(): number {
    this.need(1)
    return this.bytes[this.at] ?? 0
  }
}

const text = new TextDecoder()

function readValue(tag: ValueTagName | undefined, raw: Uint8Array): IppValue {
  const r = new Reader(raw)
  switch (tag) {
    case 'integer':
    case 'enum':
      return r.i32()
    case 'boolean':
      return r.u8() !== 0
    case 'rangeOfInteger':
      return { lower: r.i32(), upper: r.i32() }
    case 'resolution':
      return { xres: r.i32(), yres: r.i32(), units: r.u8() }
    case 'dateTime':
      return { date: raw.slice() }
    case 'textWithLanguage':
    case 'nameWithLanguage': {
      const language = text.decode(r.take(r.u16()))
      return { language, text: text.decode(r.take(r.u16())) }
    }
    case 'octetString':
    case undefined:
      return raw.slice()
    case 'unsupported':
    case 'unknown':
    case 'noValue':
      return { outOfBand: tag }
    default:
      return text.decode(raw)
  }
}

/** Reads attributes after begCollection until the matching endCollection (RFC 8010 §3.1.6). */
function readCollection(r: Reader): IppValue {
  const members: IppAttribute[] = []
  for (;;) {
    const tag = r.u8()
    r.take(r.u16())
    const value = r.take(r.u16())
    if (tag === ValueTags.endCollection) return { members }
    if (tag === ValueTags.memberAttrName) {
      members.push({ name: text.decode(value), tag: 'unknown', values: [] })
      continue
    }
    const member = members.at(-1)
    if (member === undefined) throw new Truncated('collection value before its member name')
    const name = tagNames.get(tag)
    member.tag = name ?? 'octetString'
    member.values.push(tag === ValueTags.begCollection ? readCollection(r) : readValue(name, value))
  }
}

/** Decodes an IPP message. Wire garbage is an `invalidData` result, never an exception. */
export function decodeIppMessage(bytes: Uint8Array): Result<IppMessage> {
  const r = new Reader(bytes)
  try {
    const version: [number, number] = [r.u8(), r.u8()]
    const code = r.u16()
    const requestId = r.i32()
    const groups: IppGroup[] = []
    let current: IppGroup | undefined
    let last: IppAttribute | undefined
    for (;;) {
      const tag = r.u8()
      if (tag === GroupTags.end) break
      if (tag < 0x10) {
        const group = groupNames.get(tag)
        if (group === undefined)
          return fail('invalidData', `unknown delimiter tag 0x${tag.toString(16)} at ${r.at - 1}`)
        current = { group, attributes: [] }
        groups.push(current)
        last = undefined
        continue
      }
      if (current === undefined) return fail('invalidData', `attribute before any group at ${r.at - 1}`)
      const name = text.decode(r.take(r.u16()))
      const raw = r.take(r.u16())
      const tagName = tagNames.get(tag)
      const value = tag === ValueTags.begCollection ? readCollection(r) : readValue(tagName, raw)
      if (name === '') {
        if (last === undefined) return fail('invalidData', `additional value without an attribute at ${r.at}`)
        last.values.push(value)
      } else {
        last = { name, tag: tagName ?? 'octetString', values: [value] }
        current.attributes.push(last)
      }
    }
    return ok({ version, code, requestId, groups, data: bytes.slice(r.at) })
  } catch (err) {
    if (err instanceof Truncated || err instanceof RangeError) {
      return fail('invalidData', `truncated IPP message: ${err.message}`)
    }
    throw err
  }
}
