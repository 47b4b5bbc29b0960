import type { ScreenCapture, ScreenCapturer } from '@kiosk/agent'
import type { Page } from 'playwright-core'

/**
 * The kiosk agent's ScreenCapturer on a Chromium page, through the DevTools protocol
 * (`Page.captureScreenshot` with a scaled clip): what the Electron shell's
 * `webContents.capturePage()` does on a kiosk. The page is set once the test opened it.
 */
export class CdpScreenCapturer implements ScreenCapturer {
  page: Page | undefined
  /** How many pictures were taken. */
  captures = 0

  async capture(options: { maxSide: number; quality: number }): Promise<ScreenCapture> {
    const page = this.page
    if (page === undefined) throw new Error('CdpScreenCapturer: no page yet')
    const viewport = page.viewportSize()
    if (viewport === null) throw new Error('CdpScreenCapturer: the page has no fixed viewport')
    const scale = Math.min(1, options.maxSide / Math.max(viewport.width, viewport.height))
    const cdp = await page.context().newCDPSession(page)
    try {
      const { data } = (await cdp.send('Page.captureScreenshot', {
        format: 'jpeg',
        quality: options.quality,
        clip: { x: 0, y: 0, width: viewport.width, height: viewport.height, scale },
      })) as { data: string }
      this.captures += 1
      return {
        mimeType: 'image/jpeg',
        bytes: Buffer.from(data, 'base64'),
        width: Math.round(viewport.width * scale),
        height: Math.round(viewport.height * scale),
      }
    } finally {
      await cdp.detach()
    }
  }
}
