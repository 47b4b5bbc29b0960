import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type EmulatedCard, Ga467Emulator, parseCardFile } from '@drivers/card-reader-ga467/emulator'
import { EscPosEmulator } from '@drivers/printer-escpos/emulator'
import { SerialScannerEmulator } from '@drivers/scanner-barcode/emulator'
import { parseSscCardFile, VirtualSscCard, VpcdCard } from '@drivers/smartcard-pcsc/emulator'
import { SerialTransport } from '@drivers/transport-serial'
import { type IppEvePrinter, startIppEvePrinter } from '../../tests/support/ippeveprinter.ts'
import { createPtyPair } from '../../tests/support/pty.ts'
import { ptyPairAt } from '../../tests/support/pty-at.ts'
import { ssCardStatusModel } from '../demo-fleet.ts'
import type { DemoSscReader, SscSlot } from './demo-pcsc.ts'

const CARDS = join(import.meta.dirname, '../../drivers/card-reader-ga467/fixtures/cards')
/** Synthetic people from the reader's fixtures, for the panel's "place card" buttons. */
export const DEMO_CARDS = ['resident-zhang-san', 'hk-macau-taiwan', 'foreign-permanent'] as const
export type DemoCardName = (typeof DEMO_CARDS)[number]

function card(name: DemoCardName): EmulatedCard {
  return parseCardFile(JSON.parse(readFileSync(join(CARDS, `${name}.json`), 'utf8')))
}

const SSC_CARDS = join(import.meta.dirname, '../../drivers/smartcard-pcsc/fixtures/cards')
/** Synthetic social-security cards for the panel: 王小明 (PIN 123456), and 李秀英, whose PIN is blocked. */
export const DEMO_SSC_CARDS = ['wang-xiaoming', 'pin-blocked-li-xiuying'] as const
export type DemoSscCardName = (typeof DEMO_SSC_CARDS)[number]

/**
 * A vpcd slot of the demo's pcscd, as the kiosk's social-security card reader. Each demo card is one
 * virtual card for the whole run, so wrong PINs count down (and block it) across insertions, as on a
 * real card.
 */
class SscSlotDevice {
  readonly slot: SscSlot
  readonly #cards = new Map<DemoSscCardName, VirtualSscCard>()
  #inserted: { name: DemoSscCardName; vpcd: VpcdCard } | undefined

  constructor(slot: SscSlot) {
    this.slot = slot
  }

  async insert(name: DemoSscCardName): Promise<void> {
    await this.remove()
    const card =
      this.#cards.get(name) ??
      new VirtualSscCard(parseSscCardFile(JSON.parse(readFileSync(join(SSC_CARDS, `${name}.json`), 'utf8'))))
    this.#cards.set(name, card)
    const vpcd = new VpcdCard({ card, port: this.slot.vpcdPort })
    await vpcd.insert()
    this.#inserted = { name, vpcd }
  }

  async remove(): Promise<void> {
    const inserted = this.#inserted
    this.#inserted = undefined
    await inserted?.vpcd.remove()
  }

  describe(): string {
    const inserted = this.#inserted
    if (!inserted) return `${this.slot.readerName}, empty`
    return `${this.slot.readerName}, card ${inserted.name} in (PIN tries left ${inserted.vpcd.card.pinTriesLeft})`
  }
}

interface Plug {
  deviceEnd: string
  hostEnd: string
  close(): Promise<void>
}

/** One serial device of a demo kiosk: its emulator on a socat pty pair that can be unplugged and plugged back. */
/**
 * The demo's receipt printers: Epson TM-T20II (a registry model that takes firmware and settings),
 * of the hardware revision its firmware names. The README's vendor walkthrough rolls firmware out to them.
 */
export const DEMO_RECEIPT_PRINTER = { model: 'epson-tm-t20ii', hwRevision: 'M267A', firmware: '1.0.0' } as const

class SerialDevice<E extends { start(): Promise<void>; stop(): Promise<void> }> {
  emulator: E | undefined
  plugged = false
  #plug: Plug | undefined
  readonly #make: (path: string) => E

  constructor(make: (path: string) => E) {
    this.#make = make
  }

  get hostEnd(): string {
    if (!this.#plug) throw new Error('device never plugged')
    return this.#plug.hostEnd
  }

  async plugIn(): Promise<void> {
    if (this.plugged) return
    if (this.#plug) {
      const again = await ptyPairAt(this.#plug.deviceEnd, this.#plug.hostEnd)
      this.#plug = { deviceEnd: this.#plug.deviceEnd, hostEnd: this.#plug.hostEnd, close: () => again.close() }
    } else {
      this.#plug = await createPtyPair()
    }
    this.emulator = this.#make(this.#plug.deviceEnd)
    await this.emulator.start()
    this.plugged = true
  }

  async unplug(): Promise<void> {
    if (!this.plugged) return
    this.plugged = false
    await this.emulator?.stop()
    // Only the socat process goes; the link paths come back at the same place on replug.
    await this.#plug?.close()
  }
}

export interface DemoDeviceSet {
  readonly reader: SerialDevice<Ga467Emulator>
  readonly receipt: SerialDevice<EscPosEmulator> | undefined
  readonly scanner: SerialDevice<SerialScannerEmulator> | undefined
  readonly ipp: IppEvePrinter | undefined
  /** The social-security cards the panel can insert: none without a vpcd slot. */
  readonly sscCards: readonly DemoSscCardName[]
  placeCard(name: DemoCardName): void
  removeCard(): void
  paperOut(): void
  refillPaper(): void
  /** Shows the licence notice's QR code (the demo company's) to the scanner. */
  scanNotice(): Promise<void>
  /** Puts a social-security card into the kiosk's PC/SC reader (taking out the one in it first). */
  insertSsCard(name: DemoSscCardName): Promise<void>
  removeSsCard(): Promise<void>
  /** Peripheral config entries for the agent: the host ends of the ptys and the IPP URL. */
  peripherals(): Record<string, unknown>[]
  describe(): Record<string, string>
  close(): Promise<void>
}

/**
 * Real device paths for one demo kiosk: GA 467, ESC/POS and QR scanner emulators on ptys,
 * ippeveprinter for A4, a vpcd slot (scripts/demo/demo-pcsc.ts) for the social-security card.
 */
export async function startDemoDevices(options: {
  kioskId: string
  receipt: boolean
  a4: boolean
  qr: boolean
  /** The social-security card reader, when the kiosk has one. */
  ssc?: DemoSscReader
}): Promise<DemoDeviceSet> {
  const reader = new SerialDevice(
    // Paced at the line rate, so reads take as long as on a real 115200-baud reader.
    (path) => new Ga467Emulator({ transport: new SerialTransport({ path, baudRate: 115200 }), baudRate: 115200 }),
  )
  await reader.plugIn()
  const receipt = options.receipt
    ? new SerialDevice(
        (path) =>
          new EscPosEmulator({
            transport: new SerialTransport({ path, baudRate: 115200 }),
            // It stands in for the registry's TM-T20II, so that model's firmware images flash on it.
            model: DEMO_RECEIPT_PRINTER.model,
            firmware: DEMO_RECEIPT_PRINTER.firmware,
          }),
      )
    : undefined
  await receipt?.plugIn()
  const scanner = options.qr
    ? new SerialDevice(
        (path) => new SerialScannerEmulator({ transport: new SerialTransport({ path, baudRate: 9600 }) }),
      )
    : undefined
  await scanner?.plugIn()
  let ipp: IppEvePrinter | undefined
  if (options.a4) {
    try {
      ipp = await startIppEvePrinter({ name: `Demo-${options.kioskId}` })
    } catch (err) {
      console.log(`${options.kioskId}: no A4 printer (${(err as Error).message}); its A4 services show as unavailable`)
    }
  }
  const sscSlot = options.ssc?.kind === 'vpcd' ? new SscSlotDevice(options.ssc.slot) : undefined
  return {
    reader,
    receipt,
    scanner,
    ipp,
    sscCards: sscSlot ? DEMO_SSC_CARDS : [],
    async insertSsCard(name) {
      await sscSlot?.insert(name)
    },
    async removeSsCard() {
      await sscSlot?.remove()
    },
    async scanNotice() {
      await scanner?.emulator?.scan('https://zwfw.example.gov.cn/licence-notice?code=LZ20260115-0789')
    },
    placeCard(name) {
      reader.emulator?.removeCard()
      reader.emulator?.presentCard(card(name))
    },
    removeCard: () => reader.emulator?.removeCard(),
    paperOut: () => receipt?.emulator?.paperOutAfterMm(0),
    refillPaper: () => receipt?.emulator?.loadPaper(),
    peripherals() {
      const list: Record<string, unknown>[] = [
        {
          deviceId: 'idcard',
          // a SAM_V module, emulated on a pty
          model: 'generic-sam-v-uart',
          firmware: '1.0.0',
          address: reader.hostEnd,
        },
      ]
      if (receipt) {
        list.push({
          deviceId: 'receipt',
          // the printer-escpos emulator on a pty, as the registry model whose firmware vendors roll out
          ...DEMO_RECEIPT_PRINTER,
          address: receipt.hostEnd,
        })
      }
      if (scanner) {
        list.push({
          deviceId: 'qr',
          // the scanner-barcode serial emulator on a pty
          model: 'generic-serial-barcode-scanner',
          firmware: '1.0.0',
          address: scanner.hostEnd,
        })
      }
      if (options.a4) {
        list.push({
          deviceId: 'a4',
          // CUPS ippeveprinter
          model: 'generic-ipp-everywhere',
          firmware: '1.0.0',
          // No printer answers on the discard port: the agent reports it offline, honestly.
          address: ipp?.url ?? 'ipp://127.0.0.1:9/ipp/print',
          statusPollMs: 2000,
        })
      }
      if (options.ssc?.kind === 'vpcd') {
        list.push({
          deviceId: 'sscard',
          // a vsmartcard-vpcd slot of the demo's pcscd, opened through the real PC/SC driver
          model: 'generic-pcsc-reader',
          firmware: '1.0.0',
          address: options.ssc.slot.readerName,
        })
      } else if (options.ssc?.kind === 'statusModel') list.push(ssCardStatusModel())
      // The kiosk camera for 人证核验: the citizen UI opens it with getUserMedia; its health is a status model here.
      list.push({ deviceId: 'camera', emulated: { deviceClass: 'camera', vendor: 'demo', model: 'USB camera' } })
      return list
    },
    describe() {
      const out: Record<string, string> = {
        reader: reader.plugged ? `plugged, card ${reader.emulator?.cardState ?? '?'}` : 'unplugged',
      }
      if (receipt) {
        const paper = receipt.emulator?.status
        out.receipt = receipt.plugged
          ? `plugged, paper ${paper?.paperEnd ? 'out' : paper?.paperNearEnd ? 'low' : 'ok'}, ${receipt.emulator?.printed.length ?? 0} items printed`
          : 'unplugged'
      }
      if (options.a4) out.a4 = ipp ? `${ipp.spooled().length} PDF(s) in ${ipp.spoolDir}` : 'not available'
      if (sscSlot) out.sscard = sscSlot.describe()
      else if (options.ssc?.kind === 'statusModel') out.sscard = `status model only: ${options.ssc.reason}`
      return out
    },
    async close() {
      await sscSlot?.remove()
      await reader.unplug()
      await receipt?.unplug()
      await scanner?.unplug()
      await ipp?.close()
    },
  }
}
