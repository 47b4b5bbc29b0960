/**
 * pino redaction paths for every ID-card field. The driver never logs card contents in the first
 * place (it logs lengths and status words); these paths are the second line of defence for any
 * logger that might be handed a card object.
 */
const CARD_FIELDS = [
  'name',
  'chineseName',
  'idNumber',
  'address',
  'additionalAddress',
  'birthDate',
  'photoWlt',
  'fingerprints',
  'passNumber',
  'issuingAuthority',
  'validFrom',
  'validTo',
]

export const cardRedactPaths: string[] = [
  'card',
  ...CARD_FIELDS.map((f) => `*.${f}`),
  ...CARD_FIELDS.map((f) => `card.${f}`),
]
