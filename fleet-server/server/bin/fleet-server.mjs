#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step) through tsx.
// `fleet-server mosquitto-config …` writes Mosquitto's password and ACL files; `fleet-server nats-config …`
// writes nats-server's `authorization { users }`; `fleet-server backup|restore …`
// backs up or restores the fleet (docs/operations.md); anything else starts the server.
import { register } from 'tsx/esm/api'

register()
if (process.argv[2] === 'mosquitto-config') {
  process.argv.splice(2, 1)
  await import('../src/broker/mosquitto-config-main.ts')
} else if (process.argv[2] === 'nats-config') {
  process.argv.splice(2, 1)
  await import('../src/broker/nats-config-main.ts')
} else if (process.argv[2] === 'backup' || process.argv[2] === 'restore') {
  await import('../src/backup/backup-main.ts')
} else {
  await import('../src/main.ts')
}
