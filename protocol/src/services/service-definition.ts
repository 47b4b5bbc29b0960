import { type Static, Type } from '@sinclair/typebox'
import { DeviceClass } from '../schemas/common.ts'

/**
 * A citizen service (事项) as data: what a department publishes so that any kiosk runs it with the
 * one flow engine. docs/service-definition.md is generated from these schemas.
 */

export const SERVICE_ID_PATTERN = '^[a-z][a-z0-9-]{1,63}$'
export const DEPARTMENT_ID_PATTERN = '^[a-z][a-z0-9-]{1,31}$'

export const ServiceId = Type.String({
  pattern: SERVICE_ID_PATTERN,
  description: 'kebab-case, unique in the catalogue',
})
export const DepartmentId = Type.String({
  pattern: DEPARTMENT_ID_PATTERN,
  description: 'kebab-case; also the folder `catalogue/<department>/` the department signs',
})
export const TemplateId = Type.String({ pattern: SERVICE_ID_PATTERN })

/** Text in both languages of the UI. */
export const LocalizedText = Type.Object(
  { zh: Type.String({ minLength: 1, maxLength: 400 }), en: Type.String({ minLength: 1, maxLength: 400 }) },
  { additionalProperties: false },
)
export type LocalizedText = Static<typeof LocalizedText>

/**
 * Text with `{{path}}` placeholders filled from the step's data (`record.x`, `document.x`,
 * `input.x`, `citizen.maskedName`, `now`), with optional formatters: `{{amount|yuan}}`, `{{at|date}}`.
 */
export const TextTemplate = Type.String({ minLength: 0, maxLength: 2000 })

/** The categories the menu groups services by (the platform's vocabulary; a department picks one). */
export const SERVICE_CATEGORIES = {
  progress: { zh: '办件进度', en: 'Application progress' },
  certificates: { zh: '证明打印', en: 'Certificates' },
  records: { zh: '记录查询', en: 'Records' },
  licences: { zh: '证照打印', en: 'Licences and permits' },
  appointments: { zh: '预约办理', en: 'Appointments' },
  queue: { zh: '排队取号', en: 'Queue tickets' },
  applications: { zh: '申请办理', en: 'Applications' },
} as const satisfies Record<string, LocalizedText>
export type ServiceCategory = keyof typeof SERVICE_CATEGORIES
export const ServiceCategory = Type.Union(
  (Object.keys(SERVICE_CATEGORIES) as ServiceCategory[]).map((k) => Type.Literal(k)),
  { description: Object.keys(SERVICE_CATEGORIES).join(' | ') },
)

/**
 * How the citizen proves who they are. `none`: nobody is identified (queue ticket).
 * `idCard`: the ID card on the reader. `idCardFace`: the ID card and a face check against its
 * photo (人证核验). `idOrSsCardPin`: the ID card or the social-security card, and the
 * social-security PIN.
 */
export const IdentityRequirement = Type.Union(
  [Type.Literal('none'), Type.Literal('idCard'), Type.Literal('idCardFace'), Type.Literal('idOrSsCardPin')],
  { description: 'none | idCard | idCardFace | idOrSsCardPin' },
)
export type IdentityRequirement = Static<typeof IdentityRequirement>

const InputBase = {
  /** Key of the value in `input.<id>`. */
  id: Type.String({ pattern: '^[a-z][a-zA-Z0-9]{0,31}$' }),
  label: LocalizedText,
  hint: Type.Optional(LocalizedText),
}

/** A code typed on the keypad or scanned from a QR code (a notice code, an appointment number). */
export const CodeInput = Type.Object(
  {
    kind: Type.Literal('code'),
    ...InputBase,
    /** What the code looks like: `#` is a typed digit, anything else is fixed (`LZ########-####`). */
    mask: Type.String({ minLength: 1, maxLength: 40, pattern: '#' }),
    /** Whether a QR scan may give the code (the scanned text must contain the code). */
    scan: Type.Boolean({ default: true }),
  },
  { additionalProperties: false },
)

/**
 * A PIN or password of the service itself, checked by the department (a housing-fund query
 * password): typed on the keypad as dots, `length` digits, sent in the gateway call only and never
 * filled into a view or a document. Not the social-security PIN of the `idOrSsCardPin` identity.
 */
export const PinInput = Type.Object(
  { kind: Type.Literal('pin'), ...InputBase, length: Type.Integer({ minimum: 4, maximum: 8, default: 6 }) },
  { additionalProperties: false },
)

/** A period chosen from presets (this year, last 12 months, a past year): `{from, to}` as YYYY-MM. */
export const DateRangeInput = Type.Object(
  {
    kind: Type.Literal('dateRange'),
    ...InputBase,
    /** How far back the presets reach, in years. */
    yearsBack: Type.Integer({ minimum: 1, maximum: 30, default: 3 }),
  },
  { additionalProperties: false },
)

/** One of a fixed list (which counter business to queue for). */
export const OptionInput = Type.Object(
  {
    kind: Type.Literal('option'),
    ...InputBase,
    options: Type.Array(
      Type.Object(
        { value: Type.String({ pattern: '^[a-zA-Z0-9_-]{1,32}$' }), label: LocalizedText },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 12 },
    ),
  },
  { additionalProperties: false },
)

/** Pages laid on the document scanner; sent to the gateway as PNG (base64), never kept. */
export const DocumentScanInput = Type.Object(
  { kind: Type.Literal('documentScan'), ...InputBase, maxPages: Type.Integer({ minimum: 1, maximum: 10, default: 1 }) },
  { additionalProperties: false },
)

export const ServiceInput = Type.Union([CodeInput, PinInput, DateRangeInput, OptionInput, DocumentScanInput])
export type ServiceInput = Static<typeof ServiceInput>

/**
 * A gateway call: the operation and its parameters, each `input.<id>`, `input.<id>.<field>`,
 * `record.<field>` (the record the citizen chose), `identity.pin` or a literal after `=`.
 */
export const GatewayCall = Type.Object(
  {
    operation: Type.String({ pattern: '^[a-z][a-z0-9-]{1,63}$' }),
    params: Type.Record(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9]{0,31}$' }), Type.String({ maxLength: 200 }), {
      default: {},
    }),
  },
  { additionalProperties: false },
)
export type GatewayCall = Static<typeof GatewayCall>

/** How one record shows: a title, a status badge, label/value lines. */
export const RecordLayout = Type.Object(
  {
    /** The record's own id field (what a choice sends back). */
    idField: Type.Optional(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9]{0,31}$' })),
    title: LocalizedText,
    badge: Type.Optional(
      Type.Object(
        {
          field: Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9]{0,31}$' }),
          values: Type.Record(Type.String(), LocalizedText),
        },
        { additionalProperties: false },
      ),
    ),
    lines: Type.Array(Type.Object({ label: LocalizedText, value: TextTemplate }, { additionalProperties: false }), {
      maxItems: 12,
      default: [],
    }),
  },
  { additionalProperties: false },
)
export type RecordLayout = Static<typeof RecordLayout>

/**
 * What the gateway's records become on screen. `records`: a list to read. `facts`: one record as
 * label/value facts. `choices`: a list to pick one from; picking runs the output with it.
 */
export const ResultView = Type.Object(
  {
    kind: Type.Union([Type.Literal('records'), Type.Literal('facts'), Type.Literal('choices')]),
    title: LocalizedText,
    empty: LocalizedText,
    record: RecordLayout,
  },
  { additionalProperties: false },
)
export type ResultView = Static<typeof ResultView>

/**
 * What the citizen takes away. `a4`: a document from an A4 template (data from `document`, the
 * answer of `gateway.document` or the query's own document). `receipt`: a receipt from a receipt
 * template. `screen`: nothing beyond the screen. `qr`: a QR code to continue on the phone.
 */
export const ServiceOutput = Type.Union([
  Type.Object(
    { kind: Type.Literal('a4'), template: TemplateId, action: LocalizedText },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('receipt'),
      template: TemplateId,
      action: LocalizedText,
      /** Optional receipts leave the service usable (on screen) while the receipt printer is down. */
      optional: Type.Boolean({ default: false }),
    },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('screen') }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal('qr'),
      /** Where the phone goes: an https URL template (`https://…/{{record.applicationNumber}}`). */
      url: Type.String({ pattern: '^https://', maxLength: 400 }),
      action: LocalizedText,
      hint: LocalizedText,
    },
    { additionalProperties: false },
  ),
])
export type ServiceOutput = Static<typeof ServiceOutput>

export const ServiceDefinition = Type.Object(
  {
    id: ServiceId,
    /** Bumped by the department on every change. */
    version: Type.Integer({ minimum: 1 }),
    department: DepartmentId,
    name: LocalizedText,
    guidance: LocalizedText,
    category: ServiceCategory,
    /** Search words; pinyin initials (`wszm` for 完税证明) are derived from `name.zh` and may be added here too. */
    keywords: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 20, default: [] }),
    identity: IdentityRequirement,
    inputs: Type.Array(ServiceInput, { maxItems: 4, default: [] }),
    gateway: Type.Object(
      {
        /** Called once the citizen is identified and every input is given. */
        query: GatewayCall,
        /** Called with the chosen record to get the document to print (else the query's `document`). */
        document: Type.Optional(GatewayCall),
      },
      { additionalProperties: false },
    ),
    view: ResultView,
    output: ServiceOutput,
    /** Groups of device classes; each group needs one working peripheral (ID card or social-security card). */
    peripherals: Type.Array(Type.Array(DeviceClass, { minItems: 1, maxItems: 4 }), { maxItems: 6 }),
    /**
     * true: taking the card off the reader ends the session at once and wipes the citizen's data
     * (the card stays on while the citizen is served). false: the card is read once and the citizen
     * may take it back; the session goes on until done, canceled or the idle timeout, each of which
     * wipes it. With `idCardFace` the flag applies from the read (the photo is already in the
     * session). A social-security card must stay in until its PIN has identified the holder: taking
     * it out before that always ends the session; after, the flag applies.
     */
    endsOnCardRemoval: Type.Boolean({
      default: false,
      description:
        'true: lifting the card ends the session at once; false: read once, the session goes on until done, canceled or timed out (a social-security card must stay in until its PIN is verified)',
    }),
  },
  { additionalProperties: false },
)
export type ServiceDefinition = Static<typeof ServiceDefinition>

/** A department's own entry: its names, shown as a group on the menu. */
export const DepartmentEntry = Type.Object(
  {
    id: DepartmentId,
    name: LocalizedText,
    /** Short name for tiles (人社, 公积金). */
    shortName: LocalizedText,
  },
  { additionalProperties: false },
)
export type DepartmentEntry = Static<typeof DepartmentEntry>
