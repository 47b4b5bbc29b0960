import type { GroupName, ValueTagName } from './constants.ts'

/** One IPP value; the attribute's tag says how it travels. */
export type IppValue =
  | number
  | boolean
  | string
  | Uint8Array
  | { lower: number; upper: number }
  | { xres: number; yres: number; units: number }
  | { date: Uint8Array }
  | { text: string; language: string }
  | IppCollection
  | { outOfBand: 'unsupported' | 'unknown' | 'noValue' }

export interface IppCollection {
  members: IppAttribute[]
}

export interface IppAttribute {
  name: string
  tag: ValueTagName
  values: IppValue[]
}

export interface IppGroup {
  group: GroupName
  attributes: IppAttribute[]
}

/** A request (code = operation-id) or response (code = status-code), RFC 8010 §3.1.1. */
export interface IppMessage {
  version: [number, number]
  code: number
  requestId: number
  groups: IppGroup[]
  data: Uint8Array
}

/** First value of an attribute in a group, or undefined. */
export function attributeValues(message: IppMessage, group: GroupName, name: string): IppValue[] | undefined {
  for (const g of message.groups) {
    if (g.group !== group) continue
    const attribute = g.attributes.find((a) => a.name === name)
    if (attribute) return attribute.values
  }
  return undefined
}

export function firstValue(message: IppMessage, group: GroupName, name: string): IppValue | undefined {
  return attributeValues(message, group, name)?.[0]
}

export function attr(name: string, tag: ValueTagName, ...values: IppValue[]): IppAttribute {
  return { name, tag, values }
}
