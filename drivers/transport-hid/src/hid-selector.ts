import type { HidDeviceInfo } from './hid-report-device.ts'

const VID_PID = /^([0-9a-f]{4}):([0-9a-f]{4})(?::(\d+))?$/i

/** True for `VVVV:PPPP` or `VVVV:PPPP:interface` (hex USB ids), false for a device path. */
export function isUsbIdSelector(selector: string): boolean {
  return VID_PID.test(selector)
}

/**
 * Finds the device a selector names: a path (`/dev/hidraw3`) is itself; `0400:c35a` (optionally
 * `:1` for the interface) is the first connected device with those USB ids. Resolving at every
 * open follows a reader that came back on another hidraw node after being replugged.
 */
export function resolveHidSelector(selector: string, devices: readonly HidDeviceInfo[]): string | undefined {
  const match = VID_PID.exec(selector)
  if (match === null) return selector
  const [, vid = '', pid = '', iface] = match
  const vendorId = Number.parseInt(vid, 16)
  const productId = Number.parseInt(pid, 16)
  const found = devices.find(
    (d) =>
      d.vendorId === vendorId && d.productId === productId && (iface === undefined || d.interface === Number(iface)),
  )
  return found?.path
}
