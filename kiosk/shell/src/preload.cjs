// @ts-check
// Sandboxed preload (CommonJS, as Electron requires for sandboxed renderers). Implements
// KioskShellBridge from ./bridge.ts; keep the channel names in step with IPC there.
const { contextBridge, ipcRenderer } = require('electron')

/** @type {import('./bridge.ts').KioskShellBridge} */
const bridge = {
  info: () => ipcRenderer.invoke('kiosk-shell:info'),
}

contextBridge.exposeInMainWorld('kioskShell', bridge)
