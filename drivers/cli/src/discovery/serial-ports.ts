import { readdir, readFile, readlink, realpath } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'

export interface SerialPortEntry {
  path: string
  /** /dev/serial/by-id alias, stable across replugs. */
  byId?: string
  vendorId?: string
  productId?: string
  manufacturer?: string
  serialNumber?: string
}

export interface SerialPortListing {
  ports: SerialPortEntry[]
  /** Set when the udev listing failed and the ports come from scanning /dev. */
  note?: string
}

export interface SerialPortInfo {
  path: string
  vendorId?: string | undefined
  productId?: string | undefined
  manufacturer?: string | undefined
  serialNumber?: string | undefined
}

export interface SerialDiscoveryOptions {
  /** serialport's `SerialPort.list` (needs `udevadm`). */
  list: () => Promise<SerialPortInfo[]>
  devDir?: string
  sysDir?: string
}

/**
 * Lists serial ports with serialport (udev). When that fails (no `udevadm`, as in minimal
 * containers) scans /dev/serial/by-id and /dev/tty{USB,ACM,S}* instead, reads USB ids from sysfs,
 * and says so in `note`.
 */
export async function listSerialPorts(options: SerialDiscoveryOptions): Promise<SerialPortListing> {
  const devDir = options.devDir ?? '/dev'
  const sysDir = options.sysDir ?? '/sys'
  const byId = await byIdAliases(devDir)
  try {
    const ports = await options.list()
    return {
      ports: ports.map((p) => {
        const entry: SerialPortEntry = { path: p.path }
        const alias = byId.get(p.path)
        if (alias) entry.byId = alias
        if (p.vendorId) entry.vendorId = p.vendorId.toLowerCase()
        if (p.productId) entry.productId = p.productId.toLowerCase()
        if (p.manufacturer) entry.manufacturer = p.manufacturer
        if (p.serialNumber) entry.serialNumber = p.serialNumber
        return entry
      }),
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    const ports = await scanDev(devDir, sysDir, byId)
    return {
      ports,
      note:
        `udev listing failed (${reason}); scanned ${devDir}/serial/by-id and ${devDir}/tty{USB,ACM,S}* instead ` +
        '(apt-get install udev for manufacturer names)',
    }
  }
}

/** Real device path → by-id alias. */
async function byIdAliases(devDir: string): Promise<Map<string, string>> {
  const dir = join(devDir, 'serial', 'by-id')
  const aliases = new Map<string, string>()
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[]
    throw err
  })
  for (const name of names) {
    const link = join(dir, name)
    const target = await readlink(link).catch(() => undefined)
    if (target !== undefined) aliases.set(resolve(dir, target), link)
  }
  return aliases
}

async function scanDev(devDir: string, sysDir: string, byId: Map<string, string>): Promise<SerialPortEntry[]> {
  const names = (await readdir(devDir)).filter((n) => /^tty(USB|ACM|S)\d+$/.test(n)).sort(naturalOrder)
  const ports: SerialPortEntry[] = []
  for (const name of names) {
    const path = join(devDir, name)
    const entry: SerialPortEntry = { path }
    const alias = byId.get(path)
    if (alias) entry.byId = alias
    Object.assign(entry, await usbIdsFromSysfs(sysDir, name))
    ports.push(entry)
  }
  return ports
}

/** Walks up from /sys/class/tty/NAME/device to the USB device that has idVendor/idProduct. */
async function usbIdsFromSysfs(sysDir: string, name: string): Promise<Partial<SerialPortEntry>> {
  let dir = await realpath(join(sysDir, 'class', 'tty', name, 'device')).catch(() => undefined)
  for (let depth = 0; dir && depth < 5; depth++, dir = dirname(dir)) {
    const vendor = await readFile(join(dir, 'idVendor'), 'utf8').catch(() => undefined)
    if (vendor === undefined) continue
    const product = await readFile(join(dir, 'idProduct'), 'utf8').catch(() => '')
    const manufacturer = await readFile(join(dir, 'manufacturer'), 'utf8').catch(() => '')
    const ids: Partial<SerialPortEntry> = { vendorId: vendor.trim(), productId: product.trim() }
    if (manufacturer.trim()) ids.manufacturer = manufacturer.trim()
    return ids
  }
  return {}
}

function naturalOrder(a: string, b: string): number {
  const [, pa = '', na = '0'] = /^(\D+)(\d+)$/.exec(basename(a)) ?? []
  const [, pb = '', nb = '0'] = /^(\D+)(\d+)$/.exec(basename(b)) ?? []
  return pa === pb ? Number(na) - Number(nb) : pa.localeCompare(pb)
}
