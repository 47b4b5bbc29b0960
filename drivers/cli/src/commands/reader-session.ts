import { Ga467Reader, hidReaderTransport, serialReaderTransport } from '@drivers/card-reader-ga467'
import { DriverErrorCodes, isAppError } from '@drivers/core'
import { HidErrorCodes } from '@drivers/transport-hid'
import type { CliContext } from '../cli-context.ts'
import { CommandFailure, ExitCodes } from '../exit-codes.ts'

export interface ReaderAddress {
  port?: string
  hid?: string
  baud: number
}

/** Where the reader is, in the words a technician used on the command line. */
export function describeAddress(address: ReaderAddress): string {
  return address.hid ? `HID device ${address.hid}` : `${address.port} at ${address.baud} baud`
}

/**
 * Opens a reader and checks the SAM answers; turns every way that can fail into a CommandFailure
 * whose message says what to check.
 */
export async function openReader(
  ctx: CliContext,
  address: ReaderAddress,
  commandTimeoutMs?: number,
): Promise<Ga467Reader> {
  if (!address.port === !address.hid)
    throw new CommandFailure(ExitCodes.usage, 'give exactly one of --port PATH or --hid PATH')
  const openTransport = address.hid
    ? hidReaderTransport(address.hid)
    : serialReaderTransport(address.port!, address.baud)
  const reader = new Ga467Reader({
    openTransport,
    baudRate: address.baud,
    logger: ctx.logger(),
    description: address.hid ?? address.port!,
    ...(commandTimeoutMs === undefined ? {} : { commandTimeoutMs }),
  })
  try {
    await reader.open()
  } catch (err) {
    if (isAppError(err, HidErrorCodes.unavailable))
      throw new CommandFailure(ExitCodes.missingDependency, err.message, { cause: err })
    if (isAppError(err, DriverErrorCodes.transportOpenFailed) || isAppError(err, HidErrorCodes.openFailed)) {
      throw new CommandFailure(
        ExitCodes.cannotOpen,
        `${err.message} — check the path with "kiosk-devices list", that the reader is plugged in, ` +
          'and that this user may open it (dialout group for serial, a udev rule for hidraw)',
        { cause: err },
      )
    }
    throw err
  }
  const status = reader.getStatus()
  if (status.errorCode === 'noResponse') {
    await reader.close()
    const hint = address.hid
      ? 'check the cable and that this is the reader’s HID interface'
      : 'check cable and baud rate'
    throw new CommandFailure(ExitCodes.noResponse, `no response from reader at ${describeAddress(address)} — ${hint}`)
  }
  if (status.state === 'hardwareError') {
    await reader.close()
    throw new CommandFailure(
      ExitCodes.deviceError,
      `the reader at ${describeAddress(address)} answers but its SAM module reports a fault (${reader.lastError?.message ?? status.errorCode}) — power-cycle the reader; if it persists the SAM needs service`,
    )
  }
  return reader
}
