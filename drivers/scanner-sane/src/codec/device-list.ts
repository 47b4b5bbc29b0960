import type { ScannerDevice } from '@drivers/core'

/** scanimage `-f` format that lists one device per line, fields tab-separated (`%t` is the type, not a tab). */
export const DEVICE_LIST_FORMAT = '%d\t%v\t%m\t%t%n'

/** Parses `scanimage -f DEVICE_LIST_FORMAT` output; lines that do not fit are ignored. */
export function parseDeviceList(stdout: string): ScannerDevice[] {
  const devices: ScannerDevice[] = []
  for (const line of stdout.split('\n')) {
    const [name, vendor, model, type] = line.split('\t')
    if (!name || vendor === undefined || model === undefined || type === undefined) continue
    devices.push({ name, vendor, model, type: type.trim() })
  }
  return devices
}
