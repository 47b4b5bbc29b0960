import { Command, CommanderError } from 'commander'
import { EXIT, FleetctlError } from './api-client.ts'
import { registerAlerts } from './commands/alerts.ts'
import { registerArtifacts } from './commands/artifacts.ts'
import { registerAudit } from './commands/audit.ts'
import { registerCommand } from './commands/command.ts'
import { registerKeys } from './commands/keys.ts'
import { registerKiosks } from './commands/kiosks.ts'
import { registerLogin } from './commands/login.ts'
import { registerRollouts } from './commands/rollouts.ts'
import { registerServices } from './commands/services.ts'
import { registerSilences } from './commands/silences.ts'
import { registerUsers } from './commands/users.ts'
import { type Io, processIo } from './context.ts'

/** Runs fleetctl with `argv` (as process.argv) and returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const program = new Command('fleetctl')
    .description(
      'Kiosk fleet command line: kiosks, remote commands, the audit log, update artifacts and rollouts over the fleet API',
    )
    .option(
      '--cacert <pem>',
      "CA certificate(s) of the fleet-server's HTTPS certificate (PEM file), instead of the system's CAs; " +
        'also FLEETCTL_CACERT; login remembers it',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
  const run = withGlobalOptions(io, program)
  registerLogin(program, run)
  registerKiosks(program, run)
  registerCommand(program, run)
  registerAlerts(program, run)
  registerSilences(program, run)
  registerAudit(program, run)
  registerArtifacts(program, run)
  registerRollouts(program, run)
  registerKeys(program, run)
  registerServices(program, run)
  registerUsers(program, run)
  try {
    await program.parseAsync(argv)
    return EXIT.ok
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage
    if (err instanceof FleetctlError) {
      if (err.message) io.err(`fleetctl: ${err.message}`)
      return err.exitCode
    }
    io.err(`fleetctl: ${err instanceof Error ? err.message : String(err)}`)
    return EXIT.failed
  }
}

/**
 * `io` for one run, with the program's global options read once commander has parsed them. It
 * delegates to `io` (its prototype) so getters such as processIo's terminal size stay live.
 */
function withGlobalOptions(io: Io, program: Command): Io {
  return Object.create(io, {
    cacert: { get: () => program.opts<{ cacert?: string }>().cacert, enumerable: true },
  }) as Io
}
