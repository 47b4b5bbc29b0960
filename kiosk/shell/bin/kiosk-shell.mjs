// Electron entry: runs the TypeScript main through tsx (no build step), like the agent.
// Usage: electron kiosk/shell/bin/kiosk-shell.mjs --data-dir=/var/lib/kiosk   (--dev: window, devtools)
import { register } from 'tsx/esm/api'

register()
await import('../src/main.ts')
