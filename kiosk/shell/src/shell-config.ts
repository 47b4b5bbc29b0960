import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Where the agent's citizen UI is and the per-boot token to open it with (written by the agent, mode 0600). */
export interface UiEndpoint {
  url: string
  token: string
}

export interface ShellConfig {
  /** The agent's data dir, where it writes `ui-url` and `ui-token`. */
  dataDir: string
  /** Production: no devtools, no menu, kiosk window. */
  production: boolean
}

export function shellConfigFrom(env: Record<string, string | undefined>, argv: string[]): ShellConfig {
  const flag = argv.find((a) => a.startsWith('--data-dir='))
  const dataDir = flag?.slice('--data-dir='.length) ?? env.KIOSK_DATA_DIR
  if (!dataDir) throw new TypeError('kiosk-shell needs --data-dir=DIR or KIOSK_DATA_DIR (the agent’s dataDir)')
  return { dataDir, production: env.NODE_ENV !== 'development' && !argv.includes('--dev') }
}

/** The endpoint once the agent has started; undefined while it has not. */
export function readUiEndpoint(dataDir: string): UiEndpoint | undefined {
  const urlFile = join(dataDir, 'ui-url')
  const tokenFile = join(dataDir, 'ui-token')
  if (!existsSync(urlFile) || !existsSync(tokenFile)) return undefined
  const url = readFileSync(urlFile, 'utf8').trim()
  const token = readFileSync(tokenFile, 'utf8').trim()
  if (!/^http:\/\/(127\.0\.0\.1|\[::1\]):\d+$/.test(url) || !/^[0-9a-f]{64}$/.test(token)) return undefined
  return { url, token }
}
