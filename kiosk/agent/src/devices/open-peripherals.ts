import { Ga467Reader, hidReaderTransport, serialReaderTransport } from '@drivers/card-reader-ga467'
import { AppError, type DeviceIdentity, type Transport } from '@drivers/core'
import { EscPosPrinter, profileFromQuirks, testReceipt, UsbPrinterTransport } from '@drivers/printer-escpos'
import { IppPrinter } from '@drivers/printer-ipp'
import { allDefinitions, createRegistry, type DeviceDefinition } from '@drivers/registry'
import {
  BarcodeScannerDriver,
  driverOptionsFromQuirks,
  hidScannerTransport,
  serialScannerTransport,
} from '@drivers/scanner-barcode'
import { SaneScanner } from '@drivers/scanner-sane'
import { SocialSecurityCardService } from '@drivers/smartcard-pcsc'
import { openTransportFor } from '@drivers/transport-serial'
import type { Logger } from 'pino'
import type { AgentConfig, PeripheralConfig } from '../config/schema.ts'
import { KioskErrorCodes } from '../errors.ts'
import { DriverPeripheral } from './driver-peripheral.ts'
import { EmulatedPeripheral } from './emulated-peripheral.ts'
import type { Peripheral } from './peripheral.ts'
import { addressFor } from './peripheral-address.ts'

const registry = createRegistry(allDefinitions)

function identityOf(config: PeripheralConfig): DeviceIdentity {
  return {
    deviceClass: config.deviceClass,
    vendor: config.vendor,
    model: config.model,
    serial: config.serial,
    firmware: config.firmware,
    ...(config.hwRevision === undefined ? {} : { hwRevision: config.hwRevision }),
  }
}

function definitionOf(config: PeripheralConfig): DeviceDefinition | undefined {
  if (config.registryId === undefined) return undefined
  const definition = registry.byId(config.registryId)
  if (definition === undefined) {
    throw new AppError(
      KioskErrorCodes.deviceConfig,
      `peripheral ${config.deviceId}: no device definition ${config.registryId} in the registry`,
    )
  }
  return definition
}

/** `usb:04b8:0202` is a USB printer-class device; anything else a serial path or tcp://host:port. */
function receiptTransport(address: string, baudRate: number): Transport {
  const usb = /^usb:([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(address)
  if (usb?.[1] && usb[2]) {
    return new UsbPrinterTransport({ vendorId: Number.parseInt(usb[1], 16), productId: Number.parseInt(usb[2], 16) })
  }
  return openTransportFor(address, { baudRate })
}

/** Find-only polling while no card lies on the ID reader (see Ga467ReaderOptions.idlePollIntervalMs). */
const CARD_IDLE_POLL_MS = 50

/**
 * Builds every configured peripheral: the real driver for `ga467`, `escpos` and `ipp` (serial
 * path, tcp://, HID path, USB ids or IPP URL, with the registry definition's quirks), an in-process
 * status model for `emulated`. Nothing is opened here; `Peripheral.start()` opens.
 */
export function createPeripherals(config: AgentConfig, logger: Logger): Peripheral[] {
  const reopen = { initialMs: config.devices.reopenInitialMs, maxMs: config.devices.reopenMaxMs }
  return config.peripherals.map((p): Peripheral => {
    const log = logger.child({ deviceId: p.deviceId })
    const definition = definitionOf(p)
    const base = { deviceId: p.deviceId, identity: identityOf(p), reopen, logger }
    switch (p.driver) {
      case 'emulated':
        return new EmulatedPeripheral(p)
      case 'ga467': {
        const address = addressFor(p, definition)
        const baudRate = p.baudRate ?? definition?.defaults.baudRate ?? 115200
        const quirks = definition?.quirks
        const openTransport = address.startsWith('hid:')
          ? hidReaderTransport(address.slice(4), quirks?.hidReportSize ? { reportSize: quirks.hidReportSize } : {})
          : serialReaderTransport(address, baudRate)
        const reader = new Ga467Reader({
          openTransport,
          baudRate,
          logger: log,
          description: address,
          ...(quirks?.pollIntervalMs ? { pollIntervalMs: quirks.pollIntervalMs } : {}),
          // While the reader is empty only a Find goes out: a placed card is seen within ~50 ms.
          idlePollIntervalMs: CARD_IDLE_POLL_MS,
        })
        return new DriverPeripheral({
          ...base,
          device: reader,
          open: async (r) => {
            await r.open()
            r.startPolling()
          },
          close: (r) => r.close(),
          selfTest: (r) => r.getSamStatus(),
        })
      }
      case 'escpos': {
        const address = addressFor(p, definition)
        const quirks = definition?.quirks.escpos
        const printer = new EscPosPrinter({
          transport: receiptTransport(address, p.baudRate ?? definition?.defaults.baudRate ?? 115200),
          logger: log,
          ...(quirks ? { profile: profileFromQuirks(quirks) } : {}),
          // What the model takes (config schema, firmware): the same contract artifact uploads are checked against.
          ...(definition?.update ? { update: definition.update } : {}),
        })
        return new DriverPeripheral({
          ...base,
          device: printer,
          open: (d) => d.open(),
          close: (d) => d.close(),
          selfTest: (d) => d.refreshStatus(),
          printTestPage: (d) => d.print(testReceipt({ printedAt: new Date() })),
        })
      }
      case 'ipp': {
        const printer = new IppPrinter({ url: addressFor(p, definition), logger: log, requestTimeoutMs: 5000 })
        return new DriverPeripheral({
          ...base,
          device: printer,
          open: async (d) => {
            await d.refreshStatus()
          },
          close: async () => undefined,
          poll: { everyMs: p.statusPollMs ?? 5000, run: (d) => d.refreshStatus() },
        })
      }
      case 'barcode': {
        const address = addressFor(p, definition)
        const quirks = definition?.quirks.barcode ?? { mode: address.startsWith('hid:') ? 'hidKeyboard' : 'serial' }
        const openTransport = address.startsWith('hid:')
          ? hidScannerTransport(
              address.slice(4),
              definition?.quirks.hidReportSize ? { reportSize: definition.quirks.hidReportSize } : {},
            )
          : serialScannerTransport(address, p.baudRate ?? definition?.defaults.baudRate ?? 9600)
        const scanner = new BarcodeScannerDriver({
          ...driverOptionsFromQuirks(quirks),
          openTransport,
          logger: log,
          description: address,
        })
        return new DriverPeripheral({ ...base, device: scanner, open: (d) => d.open(), close: (d) => d.close() })
      }
      case 'pcsc': {
        // address: the PC/SC reader name prefix (pcscd's name for it); unset = the first reader.
        const service = new SocialSecurityCardService({
          logger: log,
          ...(p.address ? { readerName: p.address, description: p.address } : {}),
        })
        return new DriverPeripheral({ ...base, device: service, open: (d) => d.open(), close: (d) => d.close() })
      }
      case 'sane': {
        // address: the SANE device name (`genesys:libusb:001:004`; `scanimage -L` lists them).
        const device = addressFor(p, definition)
        const scanner = new SaneScanner({ device, logger: log, description: `sane:${device}` })
        return new DriverPeripheral({
          ...base,
          device: scanner,
          // SANE has no connection to hold: "open" is finding the device in SANE's list.
          open: async (d) => {
            const listed = await d.listDevices()
            if (!listed.ok) throw new Error(`scanimage -L failed: ${listed.error.message}`)
            if (!listed.value.some((x) => x.name === device)) throw new Error(`SANE lists no ${device}`)
          },
          close: async () => undefined,
          poll: {
            everyMs: p.statusPollMs ?? 5000,
            run: async (d) => {
              const listed = await d.listDevices()
              if (!listed.ok) return { state: 'offline', errorCode: 'saneUnavailable' }
              return listed.value.some((x) => x.name === device)
                ? d.getStatus()
                : { state: 'noDevice', errorCode: 'disconnected' }
            },
          },
        })
      }
      default:
        throw new AppError(KioskErrorCodes.deviceConfig, `peripheral ${p.deviceId}: unknown driver ${String(p.driver)}`)
    }
  })
}
