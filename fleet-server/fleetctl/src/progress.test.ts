import { describe, expect, it } from 'vitest'
import type { Io } from './context.ts'
import { bar, formatBytes, transferProgress } from './progress.ts'

function fakeIo(terminal: boolean) {
  const lines: string[] = []
  const raw: string[] = []
  const io: Io = {
    out: () => undefined,
    err: (text) => lines.push(text),
    readStdin: async () => '',
    env: {},
    errTerminal: terminal ? { write: (text) => raw.push(text), columns: 100 } : undefined,
  }
  return { io, lines, raw }
}

describe('upload progress', () => {
  it('formats sizes and bars', () => {
    expect(formatBytes(12)).toBe('12 B')
    expect(formatBytes(1500)).toBe('1.5 kB')
    expect(formatBytes(614_400)).toBe('614 kB')
    expect(formatBytes(2_097_152)).toBe('2.1 MB')
    expect(bar(0.5, 10)).toBe('█████░░░░░')
    expect(bar(2, 4)).toBe('████')
    expect(bar(Number.NaN, 4)).toBe('░░░░')
  })

  it('prints one plain line per tenth when standard error is not a terminal', () => {
    const { io, lines, raw } = fakeIo(false)
    const p = transferProgress(io, 'fw.bin', 1000, false)
    for (let done = 0; done <= 1000; done += 50) p.update(done)
    p.note('connection lost')
    p.finish()
    expect(raw).toEqual([])
    expect(lines.filter((l) => l.startsWith('fw.bin'))).toHaveLength(11)
    expect(lines.at(-2)).toMatch(/^fw\.bin 100% 1\.0 kB\/1\.0 kB/)
    expect(lines.at(-1)).toBe('connection lost')
  })

  it('redraws one line in place on a terminal and ends it with a newline', () => {
    const { io, lines, raw } = fakeIo(true)
    const p = transferProgress(io, 'fw.bin', 1000, false)
    p.update(0)
    p.update(1000)
    p.finish()
    const CLEAR = '\r\x1b[2K'
    expect(raw[0]?.startsWith(CLEAR)).toBe(true)
    expect(raw[0]?.slice(CLEAR.length)).toMatch(/^░+ fw\.bin\s+0%/)
    expect(raw[1]?.slice(CLEAR.length)).toMatch(/^█+ fw\.bin 100%/)
    expect(raw.at(-1)).toBe('\n')
    expect(lines).toEqual([])
  })

  it('is silent when quiet (--json)', () => {
    const { io, lines, raw } = fakeIo(true)
    const p = transferProgress(io, 'fw.bin', 1000, true)
    p.update(500)
    p.note('x')
    p.finish()
    expect([...lines, ...raw]).toEqual([])
  })
})
