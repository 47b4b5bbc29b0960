/**
 * The typed bridge the preload exposes to the page as `window.kioskShell` (context isolation on:
 * the page never sees Node or Electron). Kept tiny on purpose: the UI talks to devices only through
 * the agent's local API, never through the shell.
 */
export interface ShellInfo {
  shell: 'electron'
  version: string
  production: boolean
}

export interface KioskShellBridge {
  /** What runs the page. */
  info(): Promise<ShellInfo>
}

/** IPC channel names, shared by main and preload. */
export const IPC = { info: 'kiosk-shell:info' } as const
