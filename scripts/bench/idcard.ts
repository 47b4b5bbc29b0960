/**
 * npm run bench:idcard — full ID-card reads (find + select + read, text + photo) by Ga467Reader
 * through serialport, against Ga467Emulator on a socat pty pair at 115200 baud. Prints the time per
 * read next to the wire time of the bytes exchanged (8N1: 10 bits a byte) and their ratio.
 * Goal: within 1.1× of wire time.
 *
 * A pty does not pace bytes at the baud rate, so the emulator does what a UART would: it answers a
 * command only after the command's own wire time, and releases its reply at the line rate. The
 * "paced" figure is then what a kiosk would see with a reader that answers instantly; the
 * "unpaced" figure is the same read with pacing off, i.e. the driver's and the OS's own overhead.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ga467Reader, serialReaderTransport } from '@drivers/card-reader-ga467'
import { Ga467Emulator, parseCardFile } from '@drivers/card-reader-ga467/emulator'
import { SerialTransport } from '@drivers/transport-serial'
import { createPtyPair } from '../../tests/support/pty.ts'

const BAUD = 115200
const RUNS = Number(process.env['BENCH_READS'] ?? 20)
const GOAL = 1.1

const cardFile = join(import.meta.dirname, '../../drivers/card-reader-ga467/fixtures/cards/resident-zhang-san.json')
const card = parseCardFile(JSON.parse(readFileSync(cardFile, 'utf8')))

interface Figures {
  median: number
  p90: number
  min: number
  bytes: number
}

async function measure(paced: boolean): Promise<Figures> {
  const pty = await createPtyPair()
  const emulator = new Ga467Emulator({
    transport: new SerialTransport({ path: pty.deviceEnd, baudRate: BAUD }),
    card,
    ...(paced ? { baudRate: BAUD } : {}),
  })
  await emulator.start()
  const reader = new Ga467Reader({ openTransport: serialReaderTransport(pty.hostEnd, BAUD), baudRate: BAUD })
  try {
    await reader.open()
    const times: number[] = []
    let bytes = 0
    for (let run = -2; run < RUNS; run++) {
      emulator.presentCard()
      const before = reader.getCounters()
      const started = performance.now()
      const result = await reader.readCard()
      const elapsed = performance.now() - started
      if (!result.ok) throw new Error(`read failed: ${result.error.message}`)
      const after = reader.getCounters()
      bytes =
        (after['bytesSent'] ?? 0) -
        (before['bytesSent'] ?? 0) +
        (after['bytesReceived'] ?? 0) -
        (before['bytesReceived'] ?? 0)
      if (run >= 0) times.push(elapsed) // the first two are warm-up (JIT, termios)
    }
    times.sort((a, b) => a - b)
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!
    return { median: at(0.5), p90: at(0.9), min: times[0]!, bytes }
  } finally {
    await reader.close()
    await emulator.stop()
    await pty.close()
  }
}

const paced = await measure(true)
const unpaced = await measure(false)
const wireMs = (paced.bytes * 10 * 1000) / BAUD
const ratio = paced.median / wireMs
const ms = (n: number) => `${n.toFixed(1)} ms`

console.log(
  `bench:idcard — GA 467 full read (find + select + read 30 01) over a socat pty, ${BAUD} baud 8N1, ${RUNS} reads`,
)
console.log(`bytes exchanged per read  ${paced.bytes} B (3 commands of 10 B; replies of 15 + 19 + 1295 B)`)
console.log(`wire time                 ${ms(wireMs)}`)
console.log(`read, paced at ${BAUD}   median ${ms(paced.median)}  p90 ${ms(paced.p90)}  min ${ms(paced.min)}`)
console.log(`ratio read / wire         ${ratio.toFixed(3)}×  (goal ≤ ${GOAL}×: ${ratio <= GOAL ? 'met' : 'NOT met'})`)
console.log(`read, unpaced (overhead)  median ${ms(unpaced.median)}  p90 ${ms(unpaced.p90)}  min ${ms(unpaced.min)}`)
