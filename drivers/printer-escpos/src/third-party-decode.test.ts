import { createRequire } from 'node:module'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { encodeReceipt, generic80mm } from './codec/index.ts'

/**
 * Decodes the encoder's output with npm `npos` (taoyuan/npos), a parser this project did not write
 * (docs/device-protocols.md §2.5). npos lacks a rule for GS ( k; we add `[0, 'd16']` as §2.5 describes.
 */
interface NposNode {
  ascii: string
  fn?: string
  length: number
}
interface NposParser {
  rules: Record<number, Record<string, unknown>>
  parse(raw: Buffer): Promise<{ tree: NposNode[] }>
}
const npos = createRequire(import.meta.url)('npos') as { parser(): NposParser }

async function parseWithNpos(bytes: Uint8Array): Promise<{ commands: string[]; text: string }> {
  const parser = npos.parser()
  const gs = parser.rules[0x1d]
  if (gs === undefined) throw new Error('npos has no GS rules')
  gs['(k'] = [0, 'd16']
  const raw = Buffer.from(bytes)
  const ast = await parser.parse(raw)
  const commands: string[] = []
  const text: Buffer[] = []
  let offset = 0
  for (const node of ast.tree) {
    if (node.ascii === 'STX') text.push(raw.subarray(offset, offset + node.length))
    else commands.push(`${node.ascii} ${node.fn ?? ''}`.trim())
    offset += node.length
  }
  expect(offset).toBe(raw.length)
  return { commands, text: iconv.decode(Buffer.concat(text), 'gb18030') }
}

describe('the encoder, read back by npos', () => {
  it('gives back the same text and commands', async () => {
    const { bytes } = encodeReceipt(
      {
        elements: [
          { type: 'text', text: '某某市政务服务中心', align: 'center', bold: true, width: 2, height: 2 },
          { type: 'text', text: '业务受理回执 No.0001' },
          { type: 'separator' },
          { type: 'pair', left: '办理事项', right: '社保参保证明' },
          { type: 'barcode', symbology: 'code128', data: 'A2026-0001' },
          { type: 'qr', data: 'https://verify.example.gov.cn/r/0001' },
          { type: 'image', width: 16, height: 2, bits: Uint8Array.from([0xff, 0x00, 0x0f, 0xf0]) },
          { type: 'feed', lines: 1 },
          { type: 'cut', partial: true },
        ],
      },
      { profile: generic80mm },
    )
    const { commands, text } = await parseWithNpos(bytes)
    expect(commands).toEqual([
      'ESC @',
      'ESC a',
      'ESC E',
      'GS !',
      'FS &',
      'FS .',
      'ESC a',
      'ESC E',
      'GS !',
      'FS &',
      'FS .',
      'FS &',
      'FS .',
      'ESC a',
      'GS h',
      'GS w',
      'GS H',
      'GS f',
      'GS k',
      'GS (k',
      'GS (k',
      'GS (k',
      'GS (k',
      'GS (k',
      'GS v0',
      'ESC d',
      'ESC d',
      'GS V',
    ])
    expect(text).toBe(
      ['某某市政务服务中心', '业务受理回执 No.0001', '-'.repeat(48), `办理事项${' '.repeat(28)}社保参保证明`, ''].join(
        '\n',
      ),
    )
  })
})
