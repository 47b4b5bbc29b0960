import { type DriverFactory, requireAddress } from '@drivers/core'
import { SaneScanner } from './sane-scanner.ts'

/**
 * Document scanners through SANE; the address is the SANE device name (`genesys:libusb:001:004`,
 * as `scanimage -L` lists it). SANE holds no connection: "open" is finding the device in SANE's
 * list, and the poll reports it gone when it leaves the list.
 */
export const driverFactory: DriverFactory = (context) => {
  const device = requireAddress(context)
  const scanner = new SaneScanner({ device, logger: context.logger, description: `sane:${device}` })
  return {
    device: scanner,
    open: async () => {
      const listed = await scanner.listDevices()
      if (!listed.ok) throw new Error(`scanimage -L failed: ${listed.error.message}`)
      if (!listed.value.some((x) => x.name === device)) throw new Error(`SANE lists no ${device}`)
    },
    close: async () => undefined,
    poll: {
      everyMs: context.statusPollMs ?? 5000,
      run: async () => {
        const listed = await scanner.listDevices()
        if (!listed.ok) return { state: 'offline', errorCode: 'saneUnavailable' }
        return listed.value.some((x) => x.name === device)
          ? scanner.getStatus()
          : { state: 'noDevice', errorCode: 'disconnected' }
      },
    },
  }
}
