/** Exit codes a technician (or a script) can act on; printed by `kiosk-devices --help`. */
export const ExitCodes = {
  ok: 0,
  /** Unexpected failure: a bug; the message has the details. */
  failure: 1,
  /** Bad arguments or input file. */
  usage: 2,
  /** The port opened but the reader never answered: cable, power or baud rate. */
  noResponse: 3,
  /** The port could not be opened: wrong path, permissions, in use. */
  cannotOpen: 4,
  /** No card was presented in time. */
  noCard: 5,
  /** The reader answered with an error (SAM fault, card unreadable, removed too early). */
  deviceError: 6,
  /** A system dependency is missing (socat, libusb for HID). */
  missingDependency: 7,
} as const

export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes]

export const EXIT_CODE_HELP = `
Exit codes:
  0  success
  1  unexpected failure (a bug: please report the message)
  2  bad arguments or input file
  3  no response from the reader (check cable, power and baud rate)
  4  cannot open the port (check the path with "kiosk-devices list", and the dialout group)
  5  no card presented in time
  6  the reader reported an error (SAM fault, unreadable card, card removed too early)
  7  a system dependency is missing (socat; libusb-1.0-0 and libudev1 for HID)`

/** A failure with a message written for the person at the kiosk, and the exit code to return. */
export class CommandFailure extends Error {
  readonly exitCode: ExitCode

  constructor(exitCode: ExitCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CommandFailure'
    this.exitCode = exitCode
  }
}
