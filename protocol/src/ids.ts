/**
 * Ids used as topic segments: one segment, never `+`, `#` or `/` [MQTT-4.7.1-1, MQTT-4.7.1-2],
 * and no `$` prefix (reserved for broker topics [MQTT-4.7.2-1]).
 */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'
const idRegExp = new RegExp(ID_PATTERN)

export function isValidId(value: string): boolean {
  return idRegExp.test(value)
}
