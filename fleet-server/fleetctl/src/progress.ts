import type { Io } from './context.ts'

/** `1.5 MB`, `320 kB`, `12 B` (decimal units, as download tools print them). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let value = n / 1000
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

/** A bar of `width` cells filled to `fraction` (0..1). */
export function bar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0))
  const full = Math.floor(f * width)
  return `${'█'.repeat(full)}${'░'.repeat(width - full)}`
}

export interface TransferProgress {
  update(done: number): void
  /** A line that must not be overdrawn (e.g. "connection lost, resuming at …"). */
  note(text: string): void
  finish(): void
}

/**
 * Upload progress on standard error: redrawn in place on a terminal; on a pipe or file one plain line
 * per 10 % (so CI logs stay readable); nothing at all when `quiet` (`--json`).
 */
export function transferProgress(io: Io, label: string, total: number, quiet: boolean): TransferProgress {
  if (quiet) return { update: () => undefined, note: () => undefined, finish: () => undefined }
  const terminal = io.errTerminal
  const started = Date.now()
  let startBytes: number | undefined
  let lastDecile = -1
  let lastDraw = 0
  const rate = (done: number) => {
    const seconds = (Date.now() - started) / 1000
    const moved = done - (startBytes ?? done)
    return seconds > 0.2 && moved > 0 ? `${formatBytes(moved / seconds)}/s` : ''
  }
  const line = (done: number) => {
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100)
    return `${label} ${String(pct).padStart(3)}% ${formatBytes(done)}/${formatBytes(total)} ${rate(done)}`.trimEnd()
  }
  return {
    update(done) {
      startBytes ??= done
      if (terminal) {
        const now = Date.now()
        if (now - lastDraw < 80 && done < total) return
        lastDraw = now
        const text = line(done)
        const width = Math.max(10, Math.min(40, terminal.columns - text.length - 4))
        terminal.write(`\r\x1b[2K${bar(total === 0 ? 1 : done / total, width)} ${text}`)
        return
      }
      const decile = total === 0 ? 10 : Math.floor((done / total) * 10)
      if (decile === lastDecile) return
      lastDecile = decile
      io.err(line(done))
    },
    note(text) {
      if (terminal) terminal.write('\r\x1b[2K')
      io.err(text)
    },
    finish() {
      if (terminal) terminal.write('\n')
    },
  }
}
