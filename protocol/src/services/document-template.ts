import { type Static, Type } from '@sinclair/typebox'
import { DepartmentId, TemplateId, TextTemplate } from './service-definition.ts'

/**
 * Documents as data: an A4 certificate or a receipt is a template of `{{path}}` placeholders over
 * the step's data (`document.*`, `record.*`, `records`, `citizen.maskedName`,
 * `citizen.maskedIdNumber`, `now`). Formatters: `|yuan` (1,234.50), `|date` (YYYY-MM-DD).
 */

const Path = Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9.]{0,63}$' })

export const A4Column = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 40 }),
    width: Type.Integer({ minimum: 1, maximum: 12 }),
    align: Type.Optional(Type.Union([Type.Literal('left'), Type.Literal('center'), Type.Literal('right')])),
    /** Cell text, placeholders over the row (`{{amount|yuan}}`). */
    value: TextTemplate,
  },
  { additionalProperties: false },
)

export const A4Template = Type.Object(
  {
    id: TemplateId,
    kind: Type.Literal('a4'),
    department: DepartmentId,
    version: Type.Integer({ minimum: 1 }),
    authority: TextTemplate,
    title: Type.String({ minLength: 1, maxLength: 80 }),
    serial: TextTemplate,
    fields: Type.Array(
      Type.Object(
        { label: Type.String({ minLength: 1, maxLength: 40 }), value: TextTemplate },
        {
          additionalProperties: false,
        },
      ),
      { maxItems: 16 },
    ),
    table: Type.Optional(
      Type.Object(
        {
          /** The array the rows come from (`document.payments`). */
          rows: Path,
          columns: Type.Array(A4Column, { minItems: 1, maxItems: 8 }),
          /** A last row summing one field of the rows into one column. */
          total: Type.Optional(
            Type.Object(
              { label: Type.String({ maxLength: 20 }), column: Type.Integer({ minimum: 0, maximum: 7 }), field: Path },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    paragraphs: Type.Array(TextTemplate, { maxItems: 8, default: [] }),
    issuer: TextTemplate,
    issuedOn: TextTemplate,
    /** Printed as QR + text: `{verifyBaseUrl}/{code}`; the code is A–Z, 0–9 and `-`. */
    verificationCode: TextTemplate,
  },
  { additionalProperties: false },
)
export type A4Template = Static<typeof A4Template>

const Style = {
  align: Type.Optional(Type.Union([Type.Literal('left'), Type.Literal('center'), Type.Literal('right')])),
  bold: Type.Optional(Type.Boolean()),
  width: Type.Optional(Type.Integer({ minimum: 1, maximum: 4 })),
  height: Type.Optional(Type.Integer({ minimum: 1, maximum: 4 })),
}

export const ReceiptLine = Type.Union([
  Type.Object({ type: Type.Literal('text'), text: TextTemplate, ...Style }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('pair'), left: TextTemplate, right: TextTemplate, bold: Type.Optional(Type.Boolean()) },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('separator'), char: Type.Optional(Type.String({ minLength: 1, maxLength: 1 })) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('qr'),
      data: Type.String({ pattern: '^https://', maxLength: 400 }),
      align: Type.Optional(Type.Literal('center')),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('feed'), lines: Type.Integer({ minimum: 1, maximum: 10 }) },
    {
      additionalProperties: false,
    },
  ),
])
export type ReceiptLine = Static<typeof ReceiptLine>

export const ReceiptTemplate = Type.Object(
  {
    id: TemplateId,
    kind: Type.Literal('receipt'),
    department: DepartmentId,
    version: Type.Integer({ minimum: 1 }),
    header: Type.Array(ReceiptLine, { maxItems: 30 }),
    /** Lines printed once per record (`records`), e.g. each application's progress. */
    each: Type.Optional(Type.Array(ReceiptLine, { maxItems: 20 })),
    footer: Type.Array(ReceiptLine, { maxItems: 30, default: [] }),
  },
  { additionalProperties: false },
)
export type ReceiptTemplate = Static<typeof ReceiptTemplate>

export const DocumentTemplate = Type.Union([A4Template, ReceiptTemplate])
export type DocumentTemplate = Static<typeof DocumentTemplate>
