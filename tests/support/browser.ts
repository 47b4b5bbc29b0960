import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const ARTIFACTS_DIR = join(import.meta.dirname, '..', 'artifacts')

/**
 * Debian's Chromium, headless; never a downloaded browser. Missing = loud failure.
 * The kiosk camera is Chromium's fake capture device: its test pattern by default, or frames
 * from `options.cameraFile` (.y4m/.mjpeg made from face images by tests/support/face-videos.ts).
 * `options.webgl` renders WebGL on SwiftShader (the on-device face models run on it).
 */
export async function launchChromium(options: { cameraFile?: string; webgl?: boolean } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install chromium (bash .ci/run does this)`)
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      ...(options.webgl ? ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'] : ['--disable-gpu']),
      '--disable-background-networking',
      '--no-first-run',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      ...(options.cameraFile ? [`--use-file-for-fake-video-capture=${options.cameraFile}`] : []),
    ],
  })
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true })
  const path = join(ARTIFACTS_DIR, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[]
}

/** Runs axe-core in the page; returns violations of impact serious or critical. */
export async function seriousA11yViolations(page: Page): Promise<AxeResult['violations']> {
  const require = createRequire(import.meta.url)
  // Evaluated through the DevTools protocol rather than as an inline <script>: the dashboard's
  // Content-Security-Policy (script-src 'self') rightly refuses inline scripts.
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'))
  const result = (await page.evaluate('axe.run(document)')) as AxeResult
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}
