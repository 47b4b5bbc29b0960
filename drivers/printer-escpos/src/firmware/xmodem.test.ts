import { describe, expect, it } from 'vitest'
import { crc16Xmodem } from './crc16.ts'
import {
  ACK,
  CAN,
  CRC_MODE,
  decodeBlock,
  EOT,
  encodeBlock,
  NAK,
  STX,
  SUB,
  XmodemReceiver,
  type XmodemReceiverEvent,
  XmodemSender,
  type XmodemSenderEvent,
} from './xmodem.ts'

const data = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff)
const sent = (events: (XmodemSenderEvent | XmodemReceiverEvent)[]) =>
  events.flatMap((e) => (e.type === 'send' ? [...e.bytes] : []))

/** Wires a sender to a receiver in memory; `tamper` may alter each host → device frame. */
function run(payload: Uint8Array, tamper: (frame: Uint8Array, n: number) => Uint8Array = (f) => f) {
  const sender = new XmodemSender(payload)
  const receiver = new XmodemReceiver()
  let toDevice: Uint8Array[] = []
  const toHost: number[] = sent(receiver.start())
  let end: Uint8Array | undefined
  let frames = 0
  for (let guard = 0; guard < 10_000 && !(sender.finished && toDevice.length === 0); guard++) {
    for (const byte of toHost.splice(0)) {
      for (const e of sender.receive(byte)) if (e.type === 'send') toDevice.push(tamper(e.bytes, frames++))
    }
    const batch = toDevice
    toDevice = []
    for (const frame of batch) {
      for (const e of receiver.receive(frame)) {
        if (e.type === 'send') toHost.push(...e.bytes)
        if (e.type === 'purge') toHost.push(...sent(receiver.purged()))
        if (e.type === 'end') {
          end = e.data
          toHost.push(...sent(receiver.accept()))
        }
      }
    }
    if (toHost.length === 0 && toDevice.length === 0 && !sender.finished) break
  }
  return { sender, receiver, end }
}

describe('CRC-16/XMODEM', () => {
  it('has the catalogue check value', () => {
    expect(crc16Xmodem(new TextEncoder().encode('123456789'))).toBe(0x31c3)
    expect(crc16Xmodem(new Uint8Array(0))).toBe(0)
  })
})

describe('XMODEM-1K framing', () => {
  it('frames a block with complement, SUB padding and CRC, and decodes it back', () => {
    const frame = encodeBlock(1, Uint8Array.of(0x41, 0x42))
    expect(frame.length).toBe(1029)
    expect([...frame.subarray(0, 5)]).toEqual([STX, 1, 0xfe, 0x41, 0x42])
    expect(frame[5]).toBe(SUB)
    const crc = crc16Xmodem(frame.subarray(3, 1027))
    expect([frame[1027], frame[1028]]).toEqual([crc >> 8, crc & 0xff])
    expect(decodeBlock(frame)).toMatchObject({ ok: true, seq: 1 })
    frame[500] = (frame[500] ?? 0) ^ 1
    expect(decodeBlock(frame)).toEqual({ ok: false, reason: 'badCrc' })
    frame[2] = 0
    expect(decodeBlock(frame)).toEqual({ ok: false, reason: 'badSequenceComplement' })
  })

  it('wraps the sequence number after 255', () => {
    expect([...encodeBlock(256, new Uint8Array(1)).subarray(1, 3)]).toEqual([0, 0xff])
  })
})

describe('XMODEM sender and receiver', () => {
  it('moves data of every size exactly (padding kept by the receiver)', () => {
    for (const n of [1, 1024, 1025, 5000]) {
      const payload = data(n)
      const { sender, end } = run(payload)
      expect(sender.state).toBe('done')
      expect(end?.subarray(0, n)).toEqual(payload)
      expect(end?.length).toBe(Math.ceil(n / 1024) * 1024)
    }
  })

  it('retransmits a block the receiver NAKs after a CRC error', () => {
    const { sender, receiver, end } = run(data(3000), (frame, n) => {
      if (n !== 1) return frame
      const bad = Uint8Array.from(frame)
      bad[100] = (bad[100] ?? 0) ^ 0xff
      return bad
    })
    expect(sender.state).toBe('done')
    expect(sender.counters).toMatchObject({ naks: 1, retransmits: 1 })
    expect(receiver.counters.naks).toBe(1)
    expect(end?.subarray(0, 3000)).toEqual(data(3000))
  })

  it('acknowledges a duplicate block without keeping it twice', () => {
    const receiver = new XmodemReceiver()
    const block = encodeBlock(1, data(1024))
    expect(sent(receiver.receive(block))).toEqual([ACK])
    expect(sent(receiver.receive(block))).toEqual([ACK])
    expect(receiver.counters).toMatchObject({ blocks: 1, duplicates: 1 })
    expect(receiver.receive(Uint8Array.of(EOT))).toEqual([{ type: 'end', data: data(1024) }])
  })

  it('cancels on a block out of sequence', () => {
    const receiver = new XmodemReceiver()
    const events = receiver.receive(encodeBlock(3, data(10)))
    expect(sent(events)).toEqual([CAN, CAN, CAN])
    expect(events.at(-1)).toEqual({ type: 'failed', reason: 'sequence' })
  })

  it('ignores line noise between blocks and asks again after a garbled block', () => {
    const receiver = new XmodemReceiver()
    expect(receiver.receive(Uint8Array.of(0xff, 0x13))).toEqual([])
    expect(receiver.counters.ignoredBytes).toBe(2)
    const garbled = Uint8Array.of(
      ...encodeBlock(1, data(100)).subarray(0, 600),
      0x55,
      ...encodeBlock(1, data(100)).subarray(600),
    )
    expect(receiver.receive(garbled)).toEqual([{ type: 'purge', reason: 'badCrc' }])
    expect(receiver.receive(Uint8Array.of(1, 2, 3))).toEqual([])
    expect(sent(receiver.purged())).toEqual([NAK])
    expect(sent(receiver.receive(encodeBlock(1, data(100))))).toEqual([ACK])
  })

  it('sender: CAN CAN from the receiver ends the transfer; one stray CAN does not', () => {
    const sender = new XmodemSender(data(3000))
    sender.receive(CRC_MODE)
    expect(sender.receive(CAN)).toEqual([])
    expect(sender.receive(ACK)[0]).toMatchObject({ type: 'progress' })
    sender.receive(CAN)
    expect(sender.receive(CAN)).toEqual([{ type: 'failed', reason: 'cancelledByReceiver' }])
    expect(sender.receive(ACK)).toEqual([])
  })

  it('sender: a timeout resends the block, too many give up with CAN', () => {
    const sender = new XmodemSender(data(100), { maxRetries: 2 })
    sender.receive(CRC_MODE)
    expect(sender.timeout()[0]).toMatchObject({ type: 'send' })
    expect(sender.receive(NAK)[0]).toMatchObject({ type: 'send' })
    const last = sender.timeout()
    expect(sent(last)).toEqual([CAN, CAN, CAN])
    expect(last.at(-1)).toEqual({ type: 'failed', reason: 'tooManyRetries' })
  })

  it('sender: a receiver that goes silent mid-transfer is told apart from a bad line', () => {
    const sender = new XmodemSender(data(3000), { maxRetries: 2 })
    sender.receive(CRC_MODE)
    sender.receive(ACK)
    sender.timeout()
    sender.timeout()
    expect(sender.timeout().at(-1)).toEqual({ type: 'failed', reason: 'receiverSilent' })
  })

  it('sender: no receiver at all is a failure after the retries, not a hang', () => {
    const sender = new XmodemSender(data(100), { maxRetries: 1 })
    expect(sender.timeout()).toEqual([])
    expect(sender.timeout()).toEqual([{ type: 'failed', reason: 'noReceiver' }])
  })

  it('sender: abort sends CAN and a NAKed EOT is sent again', () => {
    const sender = new XmodemSender(data(10))
    sender.receive(CRC_MODE)
    sender.receive(ACK)
    expect(sender.state).toBe('ending')
    expect(sent(sender.receive(NAK))).toEqual([EOT])
    expect(sent(sender.abort())).toEqual([CAN, CAN, CAN])
    expect(sender.state).toBe('failed')
  })

  it('receiver: re-sends C while waiting, gives up on a silent sender, and on one that stops mid-way', () => {
    const receiver = new XmodemReceiver({ maxIdlePolls: 2 })
    expect(sent(receiver.poll())).toEqual([CRC_MODE])
    expect(sent(receiver.poll())).toEqual([CRC_MODE])
    expect(receiver.poll()).toEqual([{ type: 'failed', reason: 'noSender' }])
    const midway = new XmodemReceiver({ maxIdlePolls: 1 })
    midway.receive(encodeBlock(1, data(10)))
    expect(midway.poll()).toEqual([])
    expect(midway.poll()).toEqual([])
    expect(midway.poll().at(-1)).toEqual({ type: 'failed', reason: 'senderGone' })
  })

  it('receiver: a refusal from block inspection cancels at once', () => {
    const receiver = new XmodemReceiver({ inspectBlock: (_, i) => (i === 0 ? 'wrongModel' : undefined) })
    const events = receiver.receive(encodeBlock(1, data(10)))
    expect(sent(events)).toEqual([CAN, CAN, CAN])
    expect(events.at(-1)).toEqual({ type: 'refused', reason: 'wrongModel' })
    expect(sent(new XmodemReceiver().refuse('checksum'))).toEqual([CAN, CAN, CAN])
  })
})
