import { AppError, type DeviceFailure, type Result } from '@drivers/core'
import type { CommandData, CommandName } from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import { isUsable } from '../catalogue/service-availability.ts'
import type { Peripheral } from '../devices/peripheral.ts'
import { KioskErrorCodes } from '../errors.ts'
import type { LogRing } from '../logging/log-ring.ts'
import { scrubLogLine } from '../logging/log-scrub.ts'
import type { CommandHandlers } from './command-dispatcher.ts'
import type { MaintenanceMode } from './maintenance.ts'

/** Optional abilities a peripheral's driver may offer to remote commands. */
interface SelfTesting {
  selfTest(): Promise<Result<unknown>>
}
interface TestPagePrinting {
  printTestPage(): Promise<Result<unknown>>
}
const canSelfTest = (p: object): p is SelfTesting => typeof (p as Partial<SelfTesting>).selfTest === 'function'
const canPrintTestPage = (p: object): p is TestPagePrinting =>
  typeof (p as Partial<TestPagePrinting>).printTestPage === 'function'

export interface RemoteCommandOptions {
  peripherals: () => Peripheral[]
  maintenance: MaintenanceMode
  logRing: LogRing
  /** The reboot command configured for this kiosk (argv), if it may be rebooted remotely. */
  rebootCommand: string[] | undefined
  /** Called after the answer is sent: stop the agent and exit for the supervisor to restart it. */
  restartAgent: () => void
  /** Runs the reboot command after the answer is sent. */
  reboot: (argv: string[]) => void
  /** Records a health snapshot now (mode changes are reported at once). */
  recordHealth: () => void
  currentMode: () => 'inService' | 'outOfService'
  logger: Logger
  /** Delay between answering and acting, so the response leaves the kiosk first. */
  actAfterMs?: number
}

type RemoteCommand = Exclude<CommandName, 'ping' | 'get-health' | 'rebirth' | 'update' | 'cancel-update' | 'screenshot'>

/** Handlers of the commands IT staff send from the dashboard and fleetctl. */
export function createRemoteCommandHandlers(o: RemoteCommandOptions): Pick<CommandHandlers, RemoteCommand> {
  const later = (act: () => void) => setTimeout(act, o.actAfterMs ?? 500).unref()
  const failure = (error: DeviceFailure): never => {
    throw new AppError(
      KioskErrorCodes.commandFailed,
      `${error.code}${error.detail ? ` (${error.detail})` : ''}: ${error.message}`,
    )
  }
  return {
    'restart-agent': async () => {
      o.logger.warn('restart requested by the fleet')
      later(o.restartAgent)
      return { restartInMs: o.actAfterMs ?? 500 }
    },
    reboot: async () => {
      const argv = o.rebootCommand
      if (argv === undefined || argv.length === 0) {
        throw new AppError(
          KioskErrorCodes.unsupported,
          'remote reboot is not configured on this kiosk (system.rebootCommand)',
        )
      }
      o.logger.warn({ argv }, 'reboot requested by the fleet')
      later(() => o.reboot(argv))
      return { rebootInMs: o.actAfterMs ?? 500 }
    },
    'self-test': async () => {
      const results: CommandData<'self-test'>['results'] = []
      for (const p of o.peripherals()) {
        const outcome = canSelfTest(p) ? await p.selfTest() : undefined
        if (outcome !== undefined && (outcome.ok || outcome.error.code !== 'unsupported')) {
          const status = p.status()
          results.push(
            outcome.ok
              ? { deviceId: p.deviceId, ok: true, state: status.state }
              : {
                  deviceId: p.deviceId,
                  ok: false,
                  state: status.state,
                  errorCode: outcome.error.detail ?? outcome.error.code,
                },
          )
        } else {
          const status = p.status()
          const entry = { deviceId: p.deviceId, ok: isUsable(status), state: status.state }
          results.push(status.errorCode === undefined ? entry : { ...entry, errorCode: status.errorCode })
        }
      }
      return { results }
    },
    'print-test-page': async () => {
      const printer = o.peripherals().find((p) => p.identity.deviceClass === 'receiptPrinter' && canPrintTestPage(p))
      // A printer whose driver prints no test page answers `unsupported` like a missing printer.
      if (printer === undefined || !canPrintTestPage(printer)) {
        throw new AppError(KioskErrorCodes.unsupported, 'this kiosk has no receipt printer that can print a test page')
      }
      const outcome = await printer.printTestPage()
      if (!outcome.ok && outcome.error.code === 'unsupported') {
        throw new AppError(KioskErrorCodes.unsupported, outcome.error.message)
      }
      if (!outcome.ok) failure(outcome.error)
      return { deviceId: printer.deviceId }
    },
    'enter-maintenance': async ({ reason }) => {
      o.maintenance.enter(reason)
      o.logger.warn({ reason }, 'entered maintenance mode')
      o.recordHealth()
      return { mode: 'maintenance' }
    },
    'leave-maintenance': async () => {
      o.maintenance.leave()
      o.logger.info('left maintenance mode')
      o.recordHealth()
      return { mode: o.currentMode() }
    },
    'collect-logs': async ({ maxLines }) => {
      const max = maxLines ?? 500
      const lines = o.logRing.lines(max).map((line) => scrubLogLine(line).slice(0, 8000))
      return { lines, truncated: o.logRing.size > lines.length }
    },
  }
}
