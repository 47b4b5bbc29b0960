import { describe, expect, it } from 'vitest'
import { AckQueue } from './ack-queue.ts'

describe('AckQueue', () => {
  it('releases acknowledgements in arrival order, never past an unsettled one', () => {
    const acked: number[] = []
    const q = new AckQueue()
    const tickets = [1, 2, 3, 4].map((n) => q.enqueue(() => acked.push(n)))
    q.settle([tickets[1], tickets[3]].filter((t) => t !== undefined))
    expect(acked).toEqual([])
    expect(q.pending).toBe(4)
    q.settle([tickets[0]].filter((t) => t !== undefined))
    expect(acked).toEqual([1, 2])
    q.settle([tickets[2]].filter((t) => t !== undefined))
    expect(acked).toEqual([1, 2, 3, 4])
    expect(q.pending).toBe(0)
  })

  it('keeps order across many tickets while compacting', () => {
    const acked: number[] = []
    const q = new AckQueue()
    const tickets = Array.from({ length: 5000 }, (_, n) => q.enqueue(() => acked.push(n)))
    for (let i = tickets.length - 1; i >= 0; i -= 1) q.settle([tickets[i]].filter((t) => t !== undefined))
    expect(acked).toEqual(Array.from({ length: 5000 }, (_, n) => n))
  })
})
