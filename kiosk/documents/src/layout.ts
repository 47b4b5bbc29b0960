/**
 * What every certificate is made of. Templates turn typed data into a DocumentLayout; one
 * renderer draws any layout, so a new certificate is a new template file, not new drawing code.
 */
export interface LayoutTable {
  columns: { title: string; width: number; align?: 'left' | 'center' | 'right' }[]
  rows: string[][]
}

export interface DocumentLayout {
  /** Issuing office shown above the title, e.g. 示例市人力资源和社会保障局. */
  authority: string
  title: string
  /** Document number (编号) printed top right. */
  serial: string
  /** Label/value rows of the header block. */
  fields: [label: string, value: string][]
  table?: LayoutTable
  /** Free text after the table (statements, business scope, notes). */
  paragraphs?: string[]
  /** Text in the seal and the issuer line. */
  issuer: string
  issuedOn: string
  verification: { code: string; url: string }
}
