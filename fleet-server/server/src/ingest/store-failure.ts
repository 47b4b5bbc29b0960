/**
 * Whether a database error is about the message (retrying cannot help: reject it and count it) or
 * about the database (down, restarting, out of connections: hold the message and retry).
 * SQLSTATE classes 22 (data exception), 23 (integrity constraint) and 42 (syntax or access rule)
 * are the message's fault; so is a TypeError or RangeError thrown while building the statement.
 * Everything else, connection errors included, is taken as an outage.
 */
export function isMessageFault(err: unknown): boolean {
  if (err instanceof TypeError || err instanceof RangeError) return true
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined
  return typeof code === 'string' && /^(22|23|42)[0-9A-Z]{3}$/.test(code)
}
