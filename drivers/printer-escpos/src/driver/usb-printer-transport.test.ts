import { createMemoryTransportPair, isAppError, type MemoryTransport } from '@drivers/core'
import { describe, expect, it } from 'vitest'
import { EscPosEmulator } from '../emulator/index.ts'
import { testReceipt } from '../test-receipt.ts'
import { EscPosPrinter } from './escpos-printer.ts'
import { UsbPrinterTransport } from './usb-printer-transport.ts'
import type { WebUsbConnectionEvent, WebUsbDeviceLike, WebUsbLike } from './web-usb.ts'

/**
 * A WebUSB printer-class device whose bulk endpoints lead to an EscPosEmulator: OUT endpoint 2
 * carries host bytes to it, IN endpoint 1 brings its replies back, at most `length` bytes a transfer.
 */
class FakeUsbPrinter implements WebUsbDeviceLike {
  readonly vendorId = 0x0483
  readonly productId = 0x5743
  configuration: WebUsbDeviceLike['configuration'] = null
  claimed: number[] = []
  #queue: number[] = []
  #waiting: (() => void) | undefined
  #gone = false

  constructor(readonly host: MemoryTransport) {
    host.onData((chunk) => {
      this.#queue.push(...chunk)
      this.#waiting?.()
    })
  }
  async open(): Promise<void> {
    await this.host.open()
  }
  async close(): Promise<void> {
    this.#gone = true
    this.#waiting?.()
  }
  async selectConfiguration(): Promise<void> {
    this.configuration = {
      interfaces: [
        {
          interfaceNumber: 0,
          alternate: {
            interfaceClass: 7,
            endpoints: [
              { endpointNumber: 2, direction: 'out', type: 'bulk' },
              { endpointNumber: 1, direction: 'in', type: 'bulk' },
            ],
          },
        },
      ],
    }
  }
  async claimInterface(n: number): Promise<void> {
    this.claimed.push(n)
  }
  async releaseInterface(): Promise<void> {
    // nothing held beyond the claim list
  }
  async transferOut(endpoint: number, data: Uint8Array) {
    if (endpoint !== 2 || this.#gone) throw new Error('stall')
    await this.host.write(data)
    return { status: 'ok', bytesWritten: data.length }
  }
  async transferIn(endpoint: number, length: number) {
    if (endpoint !== 1) throw new Error('stall')
    while (this.#queue.length === 0) {
      if (this.#gone) throw new Error('device closed')
      await new Promise<void>((resolve) => {
        this.#waiting = resolve
      })
    }
    const bytes = Uint8Array.from(this.#queue.splice(0, length))
    return { status: 'ok', data: new DataView(bytes.buffer) }
  }
}

class FakeWebUsb implements WebUsbLike {
  attached: FakeUsbPrinter | undefined
  #listeners = new Set<(event: WebUsbConnectionEvent) => void>()
  async findDeviceByIds(vendorId: number, productId: number) {
    const d = this.attached
    return d && d.vendorId === vendorId && d.productId === productId ? d : undefined
  }
  addEventListener(_type: 'disconnect', listener: (event: WebUsbConnectionEvent) => void): void {
    this.#listeners.add(listener)
  }
  removeEventListener(_type: 'disconnect', listener: (event: WebUsbConnectionEvent) => void): void {
    this.#listeners.delete(listener)
  }
  unplug(): void {
    const device = this.attached
    this.attached = undefined
    if (device) for (const l of this.#listeners) l({ device })
  }
}

async function plugIn(usb: FakeWebUsb): Promise<{ device: FakeUsbPrinter; emulator: EscPosEmulator }> {
  const { host, device: end } = createMemoryTransportPair('usb')
  const emulator = new EscPosEmulator({ transport: end })
  await emulator.start()
  const device = new FakeUsbPrinter(host)
  usb.attached = device
  return { device, emulator }
}

describe('UsbPrinterTransport (WebUSB, injected)', () => {
  it('claims the printer-class interface and prints through the bulk endpoints', async () => {
    const usb = new FakeWebUsb()
    const { device, emulator } = await plugIn(usb)
    const printer = new EscPosPrinter({
      transport: new UsbPrinterTransport({ vendorId: 0x0483, productId: 0x5743, usb }),
      pollIntervalMs: 0,
    })
    await printer.open()
    expect(device.claimed).toEqual([0])
    expect(printer.getStatus()).toMatchObject({ state: 'online' })
    expect(await printer.print(testReceipt())).toMatchObject({ ok: true })
    expect(emulator.counters.cuts).toBe(1)
    await printer.close()
  })

  it('reports unplug as a disconnect and opens again after replug', async () => {
    const usb = new FakeWebUsb()
    await plugIn(usb)
    const transport = new UsbPrinterTransport({ vendorId: 0x0483, productId: 0x5743, usb })
    const lost: Error[] = []
    transport.onDisconnect((cause) => lost.push(cause))
    await transport.open()
    usb.unplug()
    expect(lost).toHaveLength(1)
    expect(transport.isOpen).toBe(false)
    await expect(transport.open()).rejects.toSatisfy((e) => isAppError(e, 'ERR_DRV_TRANSPORT_OPEN_FAILED'))
    await plugIn(usb)
    await transport.open()
    expect(transport.isOpen).toBe(true)
    await transport.close()
  })

  it('names the option that is wrong', () => {
    expect(() => new UsbPrinterTransport({ vendorId: 0, productId: 1 })).toThrow(/vendorId/)
  })
})
