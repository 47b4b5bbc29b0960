import {
  type DeviceCounters,
  type DeviceIdentity,
  type DeviceStatus,
  DeviceStatusModel,
  fail,
  ok,
  type Result,
} from '@drivers/core'
import type { Peripheral } from './peripheral.ts'

/** What an emulated peripheral is made of: its config's `emulated` part, id and identity. */
export interface EmulatedPeripheralOptions {
  deviceId: string
  identity: DeviceIdentity
  initialStatus?: DeviceStatus
  script?: readonly { afterMs: number; status: DeviceStatus }[]
  loopScriptMs?: number
}

/**
 * A peripheral whose status comes from an in-process model, optionally driven by a script of
 * status steps. For the demo and tests of device classes no driver opens; a kiosk config asks for
 * it explicitly (`emulated`).
 */
export class EmulatedPeripheral implements Peripheral {
  readonly deviceId: string
  readonly identity: DeviceIdentity
  readonly #model: DeviceStatusModel
  readonly #config: EmulatedPeripheralOptions
  readonly #timers = new Set<ReturnType<typeof setTimeout>>()
  #statusChanges = 0
  #applied: Record<string, unknown> | undefined

  constructor(config: EmulatedPeripheralOptions) {
    this.#config = config
    this.deviceId = config.deviceId
    this.identity = { ...config.identity }
    this.#model = new DeviceStatusModel(config.initialStatus ?? { state: 'online' })
    this.#model.onChanged(() => {
      this.#statusChanges += 1
    })
  }

  status(): DeviceStatus {
    return this.#model.status
  }

  counters(): DeviceCounters {
    return { statusChanges: this.#statusChanges }
  }

  onStatusChanged(listener: (next: DeviceStatus, previous: DeviceStatus) => void): () => void {
    return this.#model.onChanged(listener)
  }

  /** Sets the emulated status, as a fault or a repair would. */
  setStatus(status: DeviceStatus): void {
    this.#model.set(status)
  }

  /** The configuration last applied (`applyConfig`), for tests and the demo. */
  get appliedConfig(): Record<string, unknown> | undefined {
    return this.#applied
  }

  /**
   * Emulated `applyConfig`: keys starting with `_` are refused (`invalidData`), the rest applied.
   * A device that is not online refuses (`deviceNotReady`), as a real one would.
   */
  async applyConfig(config: Record<string, unknown>): Promise<Result<{ applied: string[] }>> {
    if (this.#model.status.state !== 'online') return fail('deviceNotReady', `${this.deviceId} is not online`)
    const bad = Object.keys(config).filter((k) => k.startsWith('_'))
    if (bad.length > 0) return fail('invalidData', `${this.deviceId} does not know ${bad.join(', ')}`, 'badConfig')
    this.#applied = { ...config }
    return ok({ applied: Object.keys(config) })
  }

  /**
   * Emulated `updateFirmware`: the image must start with the line `KIOSKFW <version>`; the device is
   * busy while "flashing", then online on the new firmware. Anything else is refused (`invalidData`).
   */
  async updateFirmware(
    image: Uint8Array,
    options?: { onProgress?: (fraction: number) => void },
  ): Promise<Result<{ firmware: string }>> {
    if (this.#model.status.state !== 'online') return fail('deviceNotReady', `${this.deviceId} is not online`)
    const header = /^KIOSKFW ([A-Za-z0-9._+-]{1,64})\r?\n/.exec(new TextDecoder().decode(image.subarray(0, 96)))
    if (header?.[1] === undefined)
      return fail('invalidData', `${this.deviceId}: not a firmware image for this model`, 'badImage')
    this.#model.set({ state: 'busy' })
    options?.onProgress?.(1)
    this.identity.firmware = header[1]
    this.#model.set({ state: 'online' })
    return ok({ firmware: header[1] })
  }

  async start(): Promise<void> {
    const script = this.#config.script ?? []
    if (script.length === 0) return
    const play = () => {
      for (const step of script) {
        const timer = setTimeout(() => {
          this.#timers.delete(timer)
          this.#model.set(step.status)
        }, step.afterMs)
        this.#timers.add(timer)
      }
    }
    play()
    if (this.#config.loopScriptMs !== undefined) {
      const loop = setInterval(play, this.#config.loopScriptMs)
      this.#timers.add(loop)
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }
}
