import { GroupTags, type ValueTagName, ValueTags } from './constants.ts'
import type { IppAttribute, IppMessage, IppValue } from './message.ts'

const utf8 = new TextEncoder()

class Writer {
  readonly #chunks: Uint8Array[] = []
  #length = 0

  bytes(b: Uint8Array): void {
    this.#chunks.push(b)
    this.#length += b.length
  }
  u8(n: number): void {
    this.bytes(Uint8Array.of(n & 0xff))
  }
  u16(n: number): void {
    this.bytes(Uint8Array.of((n >> 8) & 0xff, n & 0xff))
  }
  i32(n: number): void {
    const b = new Uint8Array(4)
    new DataView(b.buffer).setInt32(0, n)
    this.bytes(b)
  }
  finish(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.#length)
    let at = 0
    for (const c of this.#chunks) {
      out.set(c, at)
      at += c.length
    }
    return out
  }
}

function fail(name: string, tag: string, value: unknown): never {
  throw new TypeError(`attribute ${name}: ${tag} cannot hold ${JSON.stringify(value)}`)
}

/** The value bytes of one value, RFC 8010 §3.9. */
function valueBytes(name: string, tag: ValueTagName, value: IppValue): Uint8Array {
  const w = new Writer()
  switch (tag) {
    case 'integer':
    case 'enum':
      if (typeof value !== 'number' || !Number.isInteger(value)) fail(name, tag, value)
      w.i32(value)
      break
    case 'boolean':
      if (typeof value !== 'boolean') fail(name, tag, value)
      w.u8(value ? 1 : 0)
      break
    case 'rangeOfInteger':
      if (typeof value !== 'object' || !('lower' in value)) fail(name, tag, value)
      w.i32(value.lower)
      w.i32(value.upper)
      break
    case 'resolution':
      if (typeof value !== 'object' || !('xres' in value)) fail(name, tag, value)
      w.i32(value.xres)
      w.i32(value.yres)
      w.u8(value.units)
      break
    case 'dateTime':
      if (typeof value !== 'object' || !('date' in value) || value.date.length !== 11) fail(name, tag, value)
      w.bytes(value.date)
      break
    case 'textWithLanguage':
    case 'nameWithLanguage': {
      if (typeof value !== 'object' || !('language' in value)) fail(name, tag, value)
      const language = utf8.encode(value.language)
      const text = utf8.encode(value.text)
      w.u16(language.length)
      w.bytes(language)
      w.u16(text.length)
      w.bytes(text)
      break
    }
    case 'octetString':
      if (value instanceof Uint8Array) w.bytes(value)
      else if (typeof value === 'string') w.bytes(utf8.encode(value))
      else fail(name, tag, value)
      break
    case 'unsupported':
    case 'unknown':
    case 'noValue':
    case 'begCollection':
    case 'endCollection':
      break
    default:
      if (typeof value !== 'string') fail(name, tag, value)
      w.bytes(utf8.encode(value))
  }
  return w.finish()
}

function writeValue(w: Writer, name: string, tag: ValueTagName, value: IppValue): void {
  const nameBytes = utf8.encode(name)
  if (tag === 'begCollection') {
    if (typeof value !== 'object' || !('members' in value)) fail(name, tag, value)
    w.u8(ValueTags.begCollection)
    w.u16(nameBytes.length)
    w.bytes(nameBytes)
    w.u16(0)
    for (const member of value.members) {
      const memberName = utf8.encode(member.name)
      w.u8(ValueTags.memberAttrName)
      w.u16(0)
      w.u16(memberName.length)
      w.bytes(memberName)
      for (const v of member.values) writeValue(w, '', member.tag, v)
    }
    w.u8(ValueTags.endCollection)
    w.u16(0)
    w.u16(0)
    return
  }
  const bytes = valueBytes(name, tag, value)
  if (bytes.length > 0xffff) throw new TypeError(`attribute ${name}: value longer than 65535 bytes`)
  w.u8(ValueTags[tag])
  w.u16(nameBytes.length)
  w.bytes(nameBytes)
  w.u16(bytes.length)
  w.bytes(bytes)
}

function writeAttribute(w: Writer, attribute: IppAttribute): void {
  if (attribute.values.length === 0) throw new TypeError(`attribute ${attribute.name} has no values`)
  attribute.values.forEach((value, index) => {
    writeValue(w, index === 0 ? attribute.name : '', attribute.tag, value)
  })
}

/** Encodes an IPP request or response, RFC 8010 §3.1.1. Pure; bad values throw TypeError. */
export function encodeIppMessage(message: IppMessage): Uint8Array<ArrayBuffer> {
  const w = new Writer()
  w.u8(message.version[0])
  w.u8(message.version[1])
  w.u16(message.code)
  w.i32(message.requestId)
  for (const group of message.groups) {
    w.u8(GroupTags[group.group])
    for (const attribute of group.attributes) writeAttribute(w, attribute)
  }
  w.u8(GroupTags.end)
  w.bytes(message.data)
  return w.finish()
}
