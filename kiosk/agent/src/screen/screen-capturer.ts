/** One capture of what the kiosk's screen shows. */
export interface ScreenCapture {
  mimeType: 'image/jpeg' | 'image/png'
  bytes: Uint8Array
  width: number
  height: number
}

/**
 * Takes a picture of the kiosk's screen (the citizen UI as shown). The Electron shell implements
 * it with `webContents.capturePage()` (kiosk/shell/src/main.ts, over the local API: shell-screen-link.ts and the shell's capture-link.ts); tests with Chromium's
 * `page.screenshot()`. The agent decides whether a capture may be taken at all (screenshot-command.ts).
 */
export interface ScreenCapturer {
  /** Scaled so that its longest side is at most `maxSide` pixels, JPEG at `quality` (1–100). */
  capture(options: { maxSide: number; quality: number }): Promise<ScreenCapture>
}
