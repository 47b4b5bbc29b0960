/**
 * npm run bench:print — a 40-line receipt with a QR code, printed by EscPosPrinter through
 * serialport to EscPosEmulator on a socat pty pair at 115200 baud. Prints the time print() took
 * against the wire time of the bytes sent (8N1: 10 bits a byte), and their ratio.
 *
 * Two runs: a pty moves bytes at memory speed whatever its baud rate, so the first (raw pty) shows
 * the driver's own cost; in the second the emulator takes bytes in no faster than a 115200-baud
 * UART would deliver them, so time / wire time shows what the driver adds on a real serial line
 * (status check before the job, GS r 1 confirmation after it, chunked writes). The print head
 * (about 150 mm/s on an Epson TM-T88) is not modelled: the emulator prints instantly.
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

interface Figures {
  median: number
  min: number
  max: number
  bytesPerJob: number
}

async function run(paced: boolean, document: ReceiptDocument): Promise<Figures> {
  const pty = await createPtyPair()
  const emulator = new EscPosEmulator({
    transport: new SerialTransport({ path: pty.deviceEnd, baudRate: BAUD }),
    ...(paced ? { baudRate: BAUD } : {}),
  })
  await emulator.start()
  const printer = new EscPosPrinter({
    transport: new SerialTransport({ path: pty.hostEnd, baudRate: BAUD }),
    pollIntervalMs: 0,
  })
  try {
    await printer.open()
    const warm = await printer.print(document)
    if (!warm.ok) throw new Error(`warm-up job failed: ${warm.error.message}`)
    const times: number[] = []
    let bytesPerJob = 0
    for (let i = 0; i < RUNS; i++) {
      const sentBefore = printer.getCounters().bytesSent ?? 0
      const started = performance.now()
      const result = await printer.print(document)
      times.push(performance.now() - started)
      if (!result.ok) throw new Error(`job failed: ${result.error.message}`)
      bytesPerJob = (printer.getCounters().bytesSent ?? 0) - sentBefore
    }
    if (emulator.counters.bytesReceived !== printer.getCounters().bytesSent) {
      throw new Error('the emulator did not get every byte the driver sent')
    }
    times.sort((a, b) => a - b)
    return { median: times[Math.floor(RUNS / 2)] ?? 0, min: times[0] ?? 0, max: times.at(-1) ?? 0, bytesPerJob }
  } finally {
    await printer.close()
    await emulator.stop()
    await pty.close()
  }
}

const document = benchReceipt()
const encoded = encodeReceipt(document, { profile: generic80mm })
console.log(`receipt: ${encoded.lines} text lines + QR + cut, ${encoded.bytes.length} B encoded`)
console.log(`link: socat pty pair, serialport on both ends, ${BAUD} baud 8N1; ${RUNS} jobs after 1 warm-up`)
for (const paced of [false, true]) {
  const f = await run(paced, document)
  const wireMs = (f.bytesPerJob * 10 * 1000) / BAUD
  const label = paced ? 'emulator paced at 115200 (UART model)' : 'raw pty (no pacing)'
  console.log(`\n${label}`)
  console.log(`  bytes per job host→printer: ${f.bytesPerJob} (receipt + 4 × DLE EOT + GS r 1)`)
  console.log(`  print time: median ${f.median.toFixed(1)} ms (min ${f.min.toFixed(1)}, max ${f.max.toFixed(1)})`)
  console.log(`  wire time:  ${wireMs.toFixed(1)} ms`)
  console.log(`  ratio print time / wire time: ${(f.median / wireMs).toFixed(2)}`)
}
