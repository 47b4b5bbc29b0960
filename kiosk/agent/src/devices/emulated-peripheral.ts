import { type DeviceCounters, type DeviceIdentity, type DeviceStatus, DeviceStatusModel } from '@drivers/core'
import type { PeripheralConfig } from '../config/schema.ts'
import type { Peripheral } from './peripheral.ts'

/**
 * A peripheral whose status comes from an in-process model, optionally driven by a script of
 * status steps. Used by the demo and tests until the device manager opens real drivers.
 */
export class EmulatedPeripheral implements Peripheral {
  readonly deviceId: string
  readonly identity: DeviceIdentity
  readonly #model: DeviceStatusModel
  readonly #config: PeripheralConfig
  readonly #timers = new Set<ReturnType<typeof setTimeout>>()
  #statusChanges = 0

  constructor(config: PeripheralConfig) {
    this.#config = config
    this.deviceId = config.deviceId
    this.identity = {
      deviceClass: config.deviceClass,
      vendor: config.vendor,
      model: config.model,
      serial: config.serial,
      firmware: config.firmware,
    }
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
