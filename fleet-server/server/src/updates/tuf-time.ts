/** TUF `expires` values are UTC with whole seconds: `2030-01-01T00:00:00Z`. */
export function tufExpires(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export const HOUR_MS = 3_600_000
export const DAY_MS = 24 * HOUR_MS
