/**
 * Electron kiosk shell: one full-screen kiosk window on the agent's citizen UI, nothing else.
 * Single instance; context isolation, sandbox and a typed preload bridge; no menu or devtools in
 * production; navigation locked to the agent's origin; a crashed or hung renderer is reloaded, and
 * after repeated crashes the bundled out-of-service page shows (never a white screen).
 * Printing: the shell never prints. Receipts and A4 go through the agent's drivers (ESC/POS, IPP);
 * `webContents.print` is not exposed and the print shortcut is swallowed, so no silent-printing
 * path exists to misconfigure (see README "Kiosk UI and shell").
 */
import { join } from 'node:path'
import { app, BrowserWindow, ipcMain, Menu, session } from 'electron'
import { IPC, type ShellInfo } from './bridge.ts'
import { startCaptureLink } from './capture-link.ts'
import { CrashPolicy } from './crash-policy.ts'
import { readUiEndpoint, shellConfigFrom, type UiEndpoint } from './shell-config.ts'

const config = shellConfigFrom(process.env, process.argv)
const OUT_OF_SERVICE = join(import.meta.dirname, '../public/out-of-service.html')
const crashes = new CrashPolicy({ maxCrashes: 3, windowMs: 10 * 60_000, coolDownMs: 60_000 })
const HANG_GRACE_MS = 10_000
let win: BrowserWindow | undefined
let endpoint: UiEndpoint | undefined

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => win?.focus())
  app.whenReady().then(start, (err: unknown) => {
    process.stderr.write(`kiosk-shell: ${String(err)}\n`)
    app.exit(1)
  })
}

function showUi(): void {
  endpoint = readUiEndpoint(config.dataDir)
  if (!win) return
  if (!endpoint) {
    void win.loadFile(OUT_OF_SERVICE)
    setTimeout(showUi, 5000)
    return
  }
  // The token travels in the fragment, which never reaches a server or a log.
  void win.loadURL(`${endpoint.url}/#token=${endpoint.token}`)
}

function start(): void {
  if (config.production) Menu.setApplicationMenu(null)
  // The UI needs no camera, microphone, notifications or geolocation: refuse every permission.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  ipcMain.handle(IPC.info, (event): ShellInfo => {
    if (!endpoint || !event.senderFrame?.url.startsWith(endpoint.url)) throw new Error('not the kiosk UI')
    return { shell: 'electron', version: app.getVersion(), production: config.production }
  })

  win = new BrowserWindow({
    kiosk: config.production,
    fullscreen: config.production,
    frame: !config.production,
    autoHideMenuBar: true,
    backgroundColor: '#f4f7fb',
    webPreferences: {
      preload: join(import.meta.dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      devTools: !config.production,
      spellcheck: false,
      disableDialogs: true,
    },
  })
  const wc = win.webContents

  // Only the agent's UI (and the bundled out-of-service page) may be shown.
  wc.on('will-navigate', (event, url) => {
    if (!endpoint || !url.startsWith(endpoint.url)) event.preventDefault()
  })
  wc.setWindowOpenHandler(() => ({ action: 'deny' }))
  wc.on('before-input-event', (event, input) => {
    const key = input.key.toLowerCase()
    const blocked = (input.control || input.meta) && ['p', 'r', 'w', 'q', 'n', 't'].includes(key)
    if (config.production && (blocked || key === 'f5' || key === 'f11' || key === 'f12')) event.preventDefault()
  })
  wc.on('context-menu', (event) => event.preventDefault())

  wc.on('render-process-gone', (_event, details) => {
    if (details.reason === 'clean-exit') return
    const decision = crashes.crashed(Date.now())
    process.stderr.write(`kiosk-shell: renderer gone (${details.reason}); ${decision.action}\n`)
    if (decision.action === 'reload') showUi()
    else {
      void win?.loadFile(OUT_OF_SERVICE)
      setTimeout(showUi, decision.retryInMs)
    }
  })
  let hangTimer: ReturnType<typeof setTimeout> | undefined
  wc.on('unresponsive', () => {
    hangTimer = setTimeout(() => wc.forcefullyCrashRenderer(), HANG_GRACE_MS)
  })
  wc.on('responsive', () => clearTimeout(hangTimer))
  wc.on('did-fail-load', (_event, _code, _description, url) => {
    if (endpoint && url.startsWith(endpoint.url)) {
      void win?.loadFile(OUT_OF_SERVICE)
      setTimeout(showUi, 5000)
    }
  })
  showUi()
  // The fleet's `screenshot`: the agent asks (never during a citizen session), this window answers.
  startCaptureLink({
    endpoint: () => readUiEndpoint(config.dataDir),
    connect: (url, protocols) => new WebSocket(url, protocols),
    capture: async ({ maxSide, quality }) => {
      const image = await wc.capturePage()
      const size = image.getSize()
      const scale = Math.min(1, maxSide / Math.max(size.width, size.height))
      const small = scale < 1 ? image.resize({ width: Math.round(size.width * scale), quality: 'good' }) : image
      return { mimeType: 'image/jpeg', bytes: small.toJPEG(quality), ...small.getSize() }
    },
    onError: (message) => process.stderr.write(`kiosk-shell: ${message}\n`),
  })
}

app.on('window-all-closed', () => app.quit())
