import { AppError } from '@drivers/core'
import { HidErrorCodes } from './hid-errors.ts'

/** The part of node-hid we use (node-hid 3.x HIDAsync API). */
export interface NodeHidModule {
  devicesAsync(): Promise<NodeHidDeviceInfo[]>
  getHidapiVersion(): string
  HIDAsync: { open(path: string, options?: { nonExclusive?: boolean }): Promise<NodeHidAsync> }
}

export interface NodeHidDeviceInfo {
  vendorId: number
  productId: number
  path?: string | undefined
  serialNumber?: string | undefined
  manufacturer?: string | undefined
  product?: string | undefined
  usagePage?: number | undefined
  interface: number
}

export interface NodeHidAsync {
  write(values: number[] | Buffer): Promise<number>
  close(): Promise<void>
  on(event: 'data', listener: (data: Buffer) => void): unknown
  on(event: 'error', listener: (err: Error) => void): unknown
}

export type NodeHidImporter = () => Promise<unknown>

const defaultImporter: NodeHidImporter = () => import('node-hid')

/**
 * Loads node-hid only when HID is really used: its prebuilt binding needs libusb-1.0 and libudev
 * at load time, and a kiosk with serial readers only should not need them. A failure names the
 * Debian packages to install. The importer is injectable so the failure path is testable.
 */
export async function loadNodeHid(importer: NodeHidImporter = defaultImporter): Promise<NodeHidModule> {
  try {
    const imported = (await importer()) as { default?: NodeHidModule } & Partial<NodeHidModule>
    const mod = (imported.devicesAsync ? imported : imported.default) as NodeHidModule | undefined
    if (!mod || typeof mod.devicesAsync !== 'function') throw new Error('node-hid has no devicesAsync()')
    // The native binding loads lazily; make it load now so a missing library fails here, clearly.
    mod.getHidapiVersion()
    return mod
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new AppError(
      HidErrorCodes.unavailable,
      `HID support is unavailable: node-hid could not be loaded (${reason}). ` +
        'Install the Debian packages libusb-1.0-0 and libudev1 (apt-get install libusb-1.0-0 libudev1), ' +
        'then run npm install again.',
      { cause },
    )
  }
}
