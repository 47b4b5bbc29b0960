import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Outbox } from './outbox.ts'

const logger = pino({ level: 'silent' })
const message = (seq: number) => ({ topic: 't', payload: JSON.stringify({ seq }), retain: false })

describe('Outbox', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outbox-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps records in order until acknowledged, across a restart', () => {
    const a = new Outbox({ dir, logger })
    for (let i = 0; i < 5; i++) a.append(message)
    a.ack(1)
    a.ack(3) // out of order: 2 still pending, so only 1 counts as acked on disk
    a.close()

    const b = new Outbox({ dir, logger })
    expect(b.pending().map((r) => r.seq)).toEqual([2, 3, 4, 5])
    expect(b.nextSeq).toBe(6)
    b.close()
  })

  it('never reuses a sequence number after compaction empties the log', () => {
    const a = new Outbox({ dir, logger, compactAfterBytes: 1 })
    for (let i = 0; i < 3; i++) a.append(message)
    for (const r of [...a.pending()]) a.ack(r.seq)
    expect(readFileSync(join(dir, 'outbox.log'), 'utf8')).toBe('')
    a.close()
    const b = new Outbox({ dir, logger })
    expect(b.pending()).toEqual([])
    expect(b.append(message).seq).toBe(4)
    b.close()
  })

  it('discards a torn last line from a power cut and keeps the rest', () => {
    const a = new Outbox({ dir, logger })
    a.append(message)
    a.append(message)
    a.close()
    appendFileSync(join(dir, 'outbox.log'), '{"seq":3,"topic":"t","pay')
    const b = new Outbox({ dir, logger })
    expect(b.pending().map((r) => r.seq)).toEqual([1, 2])
    expect(b.append(message).seq).toBe(3)
    b.close()
  })

  it('survives a corrupt meta file by recovering from the log', () => {
    const a = new Outbox({ dir, logger })
    a.append(message)
    a.close()
    appendFileSync(join(dir, 'outbox.meta.json'), 'garbage')
    const b = new Outbox({ dir, logger })
    expect(b.pending().map((r) => r.seq)).toEqual([1])
    b.close()
  })

  it('drops the oldest record past its cap and counts it', () => {
    const a = new Outbox({ dir, logger, maxPending: 3 })
    for (let i = 0; i < 5; i++) a.append(message)
    expect(a.pending().map((r) => r.seq)).toEqual([3, 4, 5])
    expect(a.droppedCount).toBe(2)
    a.close()
    const b = new Outbox({ dir, logger, maxPending: 3 })
    expect(b.pending().map((r) => r.seq)).toEqual([3, 4, 5])
    b.close()
  })
})
