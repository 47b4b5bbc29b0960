import type { ReceiptDocument, ReceiptElement } from '@drivers/core'
import { fillTemplate, type ReceiptLine, type ReceiptTemplate } from '@kiosk-fleet/protocol'

function line(l: ReceiptLine, data: unknown): ReceiptElement {
  const fill = (text: string) => fillTemplate(text, data)
  switch (l.type) {
    case 'text': {
      const { type, text, width, height, ...style } = l
      return {
        type,
        text: fill(text),
        ...style,
        ...(width ? { width: width as 1 | 2 | 3 | 4 } : {}),
        ...(height ? { height: height as 1 | 2 | 3 | 4 } : {}),
      }
    }
    case 'pair':
      return { ...l, left: fill(l.left), right: fill(l.right) }
    case 'qr':
      return { type: 'qr', data: fill(l.data), align: 'center' }
    default:
      return l
  }
}

/** A receipt template (data) filled with the step's data into the document the receipt printer prints. */
export function receiptFromTemplate(
  template: ReceiptTemplate,
  data: { records: readonly Record<string, unknown>[] } & Record<string, unknown>,
): ReceiptDocument {
  const each = template.each ?? []
  return {
    name: template.id,
    elements: [
      ...template.header.map((l) => line(l, data)),
      ...data.records.flatMap((record) => each.map((l) => line(l, { ...data, record }))),
      ...template.footer.map((l) => line(l, data)),
      { type: 'cut', partial: true },
    ],
  }
}
