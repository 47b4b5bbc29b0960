import { describe, expect, it } from 'vitest'
import { parseReceiptJson, receiptToJson } from './receipt-json.ts'
import { testReceipt } from './test-receipt.ts'

describe('receipt JSON', () => {
  it('round-trips the test receipt, image bits included', () => {
    const receipt = testReceipt()
    expect(parseReceiptJson(receiptToJson(receipt))).toEqual(receipt)
  })

  it('names what is wrong', () => {
    expect(() => parseReceiptJson('{')).toThrow(/not JSON/)
    expect(() => parseReceiptJson('{"elements":3}')).toThrow(/elements/)
    expect(() => parseReceiptJson('{"elements":[{"type":"poem"}]}')).toThrow(/elements\[0\]\.type/)
    expect(() => parseReceiptJson('{"elements":[{"type":"image","bits":[1]}]}')).toThrow(/base64/)
  })
})
