import type { Command } from 'commander'
import type { CliContext } from '../cli-context.ts'
import { registerEmulateScannerCommand } from './emulate-scanner.ts'
import { registerEmulateSscardCommand } from './emulate-sscard.ts'
import { registerScanCommand } from './scan.ts'
import { registerScannerCommands } from './scanner.ts'
import { registerSscardCommands } from './sscard.ts'

/** Barcode scanners, document scanning and social-security cards: commands and their emulators. */
export function registerScannerAndCardCommands(program: Command, ctx: CliContext): void {
  registerScannerCommands(program, ctx)
  registerScanCommand(program, ctx)
  registerSscardCommands(program, ctx)
  registerEmulateScannerCommand(program, ctx)
  registerEmulateSscardCommand(program, ctx)
}
