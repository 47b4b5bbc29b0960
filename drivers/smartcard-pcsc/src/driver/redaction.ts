/**
 * pino redaction paths for the PIN and every social-security card field. The service never logs
 * them in the first place (INS, SW and lengths only); these are the second line of defence.
 */
const FIELDS = ['pin', 'socialSecurityNumber', 'name', 'birthDate', 'cardNumber', 'cardIdentifier', 'holder', 'info']

export const sscRedactPaths: string[] = [...FIELDS, ...FIELDS.map((f) => `*.${f}`)]
