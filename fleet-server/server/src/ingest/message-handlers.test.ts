import { createCodecs, parseTopic, sampleBirth, sampleHealth } from '@kiosk-fleet/protocol'
import { describe, expect, it } from 'vitest'
import type { HandlerContext } from './handlers/message-handler.ts'
import { batchSize, emptyBatch } from './ingest-batch.ts'
import { handleMessage, isStoredKind, MESSAGE_HANDLERS } from './message-handlers.ts'

const codecs = createCodecs()

function context(): HandlerContext & { seqs: number[] } {
  const seqs: number[] = []
  return { batch: emptyBatch(), codecs, receivedAt: 1, trackSeq: (_k, seq) => seqs.push(seq), seqs }
}

function dispatch(topic: string, value: unknown, ctx = context()) {
  const parsed = parseTopic(topic)
  if (parsed === undefined || !isStoredKind(parsed.kind)) throw new Error(`not a stored topic: ${topic}`)
  return { outcome: handleMessage(parsed as never, JSON.stringify(value), ctx), ctx }
}

describe('message handlers', () => {
  it('has one handler per stored kind, and none for requests or responses', () => {
    expect(Object.keys(MESSAGE_HANDLERS).sort()).toEqual(['birth', 'deployment', 'device', 'event', 'health', 'state'])
    expect(isStoredKind('response')).toBe(false)
    expect(isStoredKind('request')).toBe(false)
  })

  it('puts a valid health snapshot into the batch with its text and tracks its seq', () => {
    const { outcome, ctx } = dispatch('kiosk/v1/k1/health', sampleHealth({ seq: 9 }))
    expect(outcome).toEqual({ ok: true })
    expect(ctx.batch.health[0]?.raw).toContain('"seq":9')
    expect(ctx.seqs).toEqual([9])
  })

  it('refuses a birth for another kiosk as a mismatch, leaving the batch untouched', () => {
    const { outcome, ctx } = dispatch('kiosk/v1/k1/birth', sampleBirth({ kioskId: 'k2' }))
    expect(outcome).toMatchObject({ ok: false, reason: 'mismatch' })
    expect(batchSize(ctx.batch)).toBe(0)
  })

  it('refuses an event type outside the contract', () => {
    const { outcome } = dispatch('kiosk/v1/k1/events/reboot', { seq: 1 })
    expect(outcome).toMatchObject({ ok: false, reason: 'topic' })
  })
})
