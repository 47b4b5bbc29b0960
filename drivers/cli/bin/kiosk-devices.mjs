#!/usr/bin/env node
// kiosk-devices: the package runs from TypeScript sources (no build), so register tsx first.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/main.ts')
process.exitCode = await main(process.argv)
