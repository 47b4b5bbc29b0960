/** IPP/1.1 and 2.0 numbers (RFC 8010 §3.5, RFC 8011 §4, §5.2, §5.4). */

/** Delimiter tags, RFC 8010 §3.5.1. */
export const GroupTags = {
  operation: 0x01,
  job: 0x02,
  end: 0x03,
  printer: 0x04,
  unsupported: 0x05,
} as const
export type GroupName = keyof typeof GroupTags

/** Value tags, RFC 8010 §3.5.2. */
export const ValueTags = {
  unsupported: 0x10,
  unknown: 0x12,
  noValue: 0x13,
  integer: 0x21,
  boolean: 0x22,
  enum: 0x23,
  octetString: 0x30,
  dateTime: 0x31,
  resolution: 0x32,
  rangeOfInteger: 0x33,
  begCollection: 0x34,
  textWithLanguage: 0x35,
  nameWithLanguage: 0x36,
  endCollection: 0x37,
  textWithoutLanguage: 0x41,
  nameWithoutLanguage: 0x42,
  keyword: 0x44,
  uri: 0x45,
  uriScheme: 0x46,
  charset: 0x47,
  naturalLanguage: 0x48,
  mimeMediaType: 0x49,
  memberAttrName: 0x4a,
} as const
export type ValueTagName = keyof typeof ValueTags

/** Operation ids, RFC 8011 §4.1 and §5.2. */
export const Operations = {
  printJob: 0x0002,
  validateJob: 0x0004,
  cancelJob: 0x0008,
  getJobAttributes: 0x0009,
  getJobs: 0x000a,
  getPrinterAttributes: 0x000b,
} as const

/** job-state enum, RFC 8011 §5.3.7. */
export const JobStates = {
  3: 'pending',
  4: 'pendingHeld',
  5: 'processing',
  6: 'processingStopped',
  7: 'canceled',
  8: 'aborted',
  9: 'completed',
} as const

/** printer-state enum, RFC 8011 §5.4.11. */
export const PrinterStates = { 3: 'idle', 4: 'processing', 5: 'stopped' } as const

/** Status codes we name, RFC 8011 §B. */
export const StatusCodes: Record<number, string> = {
  0: 'successful-ok',
  1: 'successful-ok-ignored-or-substituted-attributes',
  2: 'successful-ok-conflicting-attributes',
  1024: 'client-error-bad-request',
  1025: 'client-error-forbidden',
  1026: 'client-error-not-authenticated',
  1027: 'client-error-not-authorized',
  1028: 'client-error-not-possible',
  1029: 'client-error-timeout',
  1030: 'client-error-not-found',
  1031: 'client-error-gone',
  1032: 'client-error-request-entity-too-large',
  1034: 'client-error-document-format-not-supported',
  1035: 'client-error-attributes-or-values-not-supported',
  1280: 'server-error-internal-error',
  1281: 'server-error-operation-not-supported',
  1282: 'server-error-service-unavailable',
  1283: 'server-error-version-not-supported',
  1284: 'server-error-device-error',
  1285: 'server-error-temporary-error',
  1286: 'server-error-not-accepting-jobs',
  1287: 'server-error-busy',
  1288: 'server-error-job-canceled',
}

export function statusName(code: number): string {
  return StatusCodes[code] ?? `0x${code.toString(16).padStart(4, '0')}`
}

export const isSuccess = (code: number): boolean => code < 0x0100
