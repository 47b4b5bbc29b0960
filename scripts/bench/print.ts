/**
 * npm run bench:print — a 40-line receipt with a QR code, printed by EscPosPrinter through
 * serialport to EscPosEmulator on a socat pty pair at 115200 baud. Prints the time print() took
 * against the wire time of the bytes sent (8N1: 10 bits a byte), and their ratio.
 *
 * A pty does not pace bytes at the baud rate, so time < wire time is possible: the figure shows
 * the driver's own overhead (status checks, GS r confirmation, chunked writes); on a real UART the
 * wire time is the floor and the print head (≈150 mm/s) usually the limit.
 */
import type { ReceiptDocument, ReceiptElement } from '@drivers/core'
import { EscPosPrinter, encodeReceipt, generic80mm } from '@drivers/printer-escpos'
import { EscPosEmulator } from '@drivers/printer-escpos/emulator'
import { SerialTransport } from '@drivers/transport-serial'
import { createPtyPair } from '../../tests/support/pty.ts'

const BAUD = 115200
const RUNS = 10

function benchReceipt(): ReceiptDocument {
  const lines: ReceiptElement[] = [
    { type: 'text', text: '示例市政务服务中心', align: 'center', bold: true, width: 2, height: 2 },
  ]
  for (let i = 1; i <= 38; i++) lines.push({ type: 'pair', left: `${i} 项目 Item ${i}`, right: (i * 3.5).toFixed(2) })
  lines.push({ type: 'pair', left: '合计 Total', right: '2593.50', bold: true })
  return {
    name: 'bench',
    elements: [
      ...lines,
      { type: 'qr', data: 'https://verify.example.gov.cn/r/BENCH-0001', moduleSize: 6 },
      { type: 'cut', partial: true },
    ],
  }
}

const pty = await createPtyPair()
const emulator = new EscPosEmulator({ transport: new SerialTransport({ path: pty.deviceEnd, baudRate: BAUD }) })
await emulator.start()
const printer = new EscPosPrinter({
  transport: new SerialTransport({ path: pty.hostEnd, baudRate: BAUD }),
  pollIntervalMs: 0,
})
try {
  await printer.open()
  const document = benchReceipt()
  const encoded = encodeReceipt(document, { profile: generic80mm })
  const warm = await printer.print(document)
  if (!warm.ok) throw new Error(`warm-up job failed: ${warm.error.message}`)
  const times: number[] = []
  let bytesPerJob = 0
  for (let run = 0; run < RUNS; run++) {
    const sentBefore = printer.getCounters().bytesSent ?? 0
    const received = emulator.counters.bytesReceived
    const started = performance.now()
    const result = await printer.print(document)
    times.push(performance.now() - started)
    if (!result.ok) throw new Error(`job failed: ${result.error.message}`)
    bytesPerJob = (printer.getCounters().bytesSent ?? 0) - sentBefore
    if (emulator.counters.bytesReceived - received !== bytesPerJob) throw new Error('emulator did not get every byte')
  }
  times.sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)] ?? 0
  const wireMs = (bytesPerJob * 10 * 1000) / BAUD
  console.log(`receipt: ${encoded.lines} text lines + QR + cut, ${encoded.bytes.length} B encoded`)
  console.log(`per job on the wire: ${bytesPerJob} B host→printer (receipt + 4 DLE EOT + GS r 1)`)
  console.log(`link: socat pty pair, serialport, ${BAUD} baud 8N1; ${RUNS} runs after 1 warm-up`)
  console.log(
    `print time: median ${median.toFixed(1)} ms (min ${times[0]?.toFixed(1)}, max ${times.at(-1)?.toFixed(1)})`,
  )
  console.log(`wire time:  ${wireMs.toFixed(1)} ms`)
  console.log(`ratio time / wire time: ${(median / wireMs).toFixed(2)}`)
} finally {
  await printer.close()
  await emulator.stop()
  await pty.close()
}
