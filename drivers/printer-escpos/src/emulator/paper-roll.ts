/** The emulated paper roll: a length that printing uses up, a near-end sensor and an end sensor. */
export class PaperRoll {
  #remainingMm: number
  #nearEndMm: number

  constructor(lengthMm: number, nearEndMm: number) {
    if (!(lengthMm >= 0)) throw new TypeError(`rollLengthMm must be ≥ 0, got ${lengthMm}`)
    this.#remainingMm = lengthMm
    this.#nearEndMm = nearEndMm
  }

  get remainingMm(): number {
    return this.#remainingMm
  }

  get nearEnd(): boolean {
    return this.#remainingMm <= this.#nearEndMm
  }

  get end(): boolean {
    return this.#remainingMm <= 0
  }

  /** Uses `mm` of paper; false (and nothing used) when the roll cannot supply it. */
  take(mm: number): boolean {
    if (mm > this.#remainingMm) {
      this.#remainingMm = 0
      return false
    }
    this.#remainingMm -= mm
    return true
  }

  load(lengthMm: number): void {
    this.#remainingMm = lengthMm
  }

  setRemaining(mm: number): void {
    this.#remainingMm = Math.max(0, mm)
  }
}
