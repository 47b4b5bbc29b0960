import type { ReceiptDocument, ReceiptElement } from '@drivers/core'
import { serviceEmblem } from './emblem.ts'

export interface TestReceiptOptions {
  /** Extra item lines, to make long receipts (the benchmark prints 40 lines). */
  itemLines?: number
  /** Printed time; injected so output is reproducible. */
  printedAt?: Date
}

const pad = (n: number): string => String(n).padStart(2, '0')

/**
 * The self-test receipt of `kiosk-devices printer print-test`: Chinese text in several sizes, a
 * CODE128 barcode, a QR code, the emblem and a cut. All data is synthetic.
 */
export function testReceipt(options: TestReceiptOptions = {}): ReceiptDocument {
  const at = options.printedAt ?? new Date(Date.UTC(2026, 0, 15, 2, 30, 0))
  const stamp = `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}`
  const items: ReceiptElement[] = []
  for (let i = 1; i <= (options.itemLines ?? 3); i++) {
    items.push({ type: 'pair', left: `${pad(i)} 测试项目 Item ${i}`, right: `${(i * 12.5).toFixed(2)}` })
  }
  return {
    name: 'print-test',
    elements: [
      serviceEmblem(96),
      { type: 'text', text: '示例市政务服务中心', align: 'center', bold: true, width: 2, height: 2 },
      { type: 'text', text: '自助终端打印测试 Printer self-test', align: 'center' },
      { type: 'separator' },
      { type: 'pair', left: '终端编号', right: 'KIOSK-DEMO-001' },
      { type: 'pair', left: '打印时间', right: stamp },
      { type: 'separator' },
      ...items,
      { type: 'separator', char: '=' },
      { type: 'pair', left: '合计 Total', right: '¥ 37.50', bold: true },
      { type: 'text', text: '下划线 Underline', underline: true },
      { type: 'text', text: '右对齐 Right', align: 'right' },
      { type: 'feed', lines: 1 },
      { type: 'barcode', symbology: 'code128', data: 'TEST-20260115-0001', height: 64 },
      { type: 'feed', lines: 1 },
      { type: 'qr', data: 'https://verify.example.gov.cn/r/TEST-20260115-0001', moduleSize: 6, errorCorrection: 'M' },
      { type: 'text', text: '扫码核验 Scan to verify', align: 'center' },
      { type: 'feed', lines: 2 },
      { type: 'cut', partial: true },
    ],
  }
}
