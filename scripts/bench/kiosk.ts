/**
 * npm run bench:kiosk — the kiosk agent as a citizen meets it:
 *  1. cold start: spawning `kiosk-agent` until its local API answers Common.Status (UI ready),
 *  2. resident memory (VmRSS) when ready and after the card reads,
 *     — both from the TypeScript sources through tsx and from the built bundle (`npm run build`, plain
 *     node, what production runs), interleaved, with the ratio,
 *  3. card placed on the emulated reader → the citizen's name on screen in Chromium, next to the
 *     reader's wire time (GA 467 at 115200 baud, the emulator paced at the line rate).
 * Real parts throughout: the agent process opens the GA 467 and ESC/POS emulators on socat ptys
 * through its drivers, MQTT goes to an in-process Aedes broker, the UI runs in Debian's Chromium.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Ga467Emulator } from '@drivers/card-reader-ga467/emulator'
import { EscPosEmulator } from '@drivers/printer-escpos/emulator'
import { SerialTransport } from '@drivers/transport-serial'
import { sampleBirth } from '@kiosk-fleet/protocol'
import { Aedes } from 'aedes'
import WebSocket from 'ws'
import { launchChromium } from '../../tests/support/browser.ts'
import { fixtureCard } from '../../tests/support/kiosk-rig.ts'
import { createPtyPair } from '../../tests/support/pty.ts'
import { buildAll } from '../build/build.ts'

const BAUD = 115200
const STARTS = Number(process.env.BENCH_STARTS ?? 3)
const READS = Number(process.env.BENCH_READS ?? 10)
/** One full read: 3 commands of 10 B, replies of 15 + 19 + 1295 B (see bench:idcard). */
const READ_BYTES = 3 * 10 + 15 + 19 + 1295
const WIRE_MS = (READ_BYTES * 10 * 1000) / BAUD
const POLL_MS = 500

const card = fixtureCard('resident-zhang-san')
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN
  return { median: at(0.5), p90: at(0.9), min: s[0] ?? Number.NaN, max: s.at(-1) ?? Number.NaN }
}
const ms = (n: number) => `${n.toFixed(0)} ms`
const sleep = (t: number) => new Promise((r) => setTimeout(r, t))

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => ok(port))
    })
  })
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024
}

async function statusAnswered(url: string, token: string): Promise<boolean> {
  return new Promise((ok) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/xfs4iot/v1.0`, ['xfs4iot.v1', `token.${token}`])
    ws.once('error', () => ok(false))
    ws.once('open', () =>
      ws.send(JSON.stringify({ header: { type: 'command', name: 'Common.Status', requestId: 1 }, payload: {} })),
    )
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { header: { type: string }; payload: { mode?: string } }
      if (msg.header.type !== 'completion') return
      ws.close()
      ok(msg.payload.mode === 'inService')
    })
  })
}

// Devices and broker, shared by every start.
const broker = await Aedes.createBroker()
const mqttPort = await freePort()
const mqttServer = createServer(broker.handle)
await new Promise<void>((ok) => mqttServer.listen(mqttPort, '127.0.0.1', ok))
const readerPty = await createPtyPair()
const reader = new Ga467Emulator({
  transport: new SerialTransport({ path: readerPty.deviceEnd, baudRate: BAUD }),
  baudRate: BAUD,
})
await reader.start()
const receiptPty = await createPtyPair()
const printer = new EscPosEmulator({ transport: new SerialTransport({ path: receiptPty.deviceEnd, baudRate: BAUD }) })
await printer.start()

const dataDir = mkdtempSync(join(tmpdir(), 'bench-kiosk-'))
const configPath = join(dataDir, 'kiosk.json')
writeFileSync(
  configPath,
  JSON.stringify({
    kioskId: 'bench-id-01',
    machineType: 'id',
    department: 'public-security',
    site: sampleBirth().site,
    dataDir,
    mqtt: { url: `mqtt://127.0.0.1:${mqttPort}` },
    peripherals: [
      {
        deviceId: 'idcard',
        model: 'generic-sam-v-uart',
        address: readerPty.hostEnd,
      },
      {
        deviceId: 'receipt',
        model: 'generic-escpos-80mm',
        address: receiptPty.hostEnd,
      },
    ],
    log: { level: 'warn' },
  }),
)
const agentBin = resolve(import.meta.dirname, '../../kiosk/agent/bin/kiosk-agent.mjs')

// The built agent: bundled into the checkout's .tmp so its npm imports resolve to this install.
mkdirSync(resolve(import.meta.dirname, '../../.tmp'), { recursive: true })
const buildDir = mkdtempSync(resolve(import.meta.dirname, '../../.tmp/bench-build-'))
await buildAll(buildDir)
const builtAgentBin = join(buildDir, 'bin/kiosk-agent.mjs')

async function startAgent(
  bin = agentBin,
): Promise<{ child: ChildProcess; readyMs: number; url: string; token: string }> {
  for (const f of ['ui-url', 'ui-token']) if (existsSync(join(dataDir, f))) writeFileSync(join(dataDir, f), '')
  const started = performance.now()
  const child = spawn(process.execPath, [bin, '--config', configPath], { stdio: ['ignore', 'ignore', 'inherit'] })
  for (;;) {
    const url = existsSync(join(dataDir, 'ui-url')) ? readFileSync(join(dataDir, 'ui-url'), 'utf8') : ''
    const token = existsSync(join(dataDir, 'ui-token')) ? readFileSync(join(dataDir, 'ui-token'), 'utf8') : ''
    if (url && token && (await statusAnswered(url, token))) {
      return { child, readyMs: performance.now() - started, url, token }
    }
    if (child.exitCode !== null) throw new Error(`agent exited with ${child.exitCode}`)
    await sleep(10)
  }
}

async function stopAgent(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
}

const coldStarts: number[] = []
const coldBuilt: number[] = []
const rssTsx: number[] = []
const rssBuilt: number[] = []
for (let i = 0; i < STARTS; i++) {
  // Interleaved, so a busy moment of the shared machine hits both alike.
  for (const [bin, cold, rss] of [
    [agentBin, coldStarts, rssTsx],
    [builtAgentBin, coldBuilt, rssBuilt],
  ] as const) {
    const { child, readyMs } = await startAgent(bin)
    cold.push(readyMs)
    rss.push(rssMb(child.pid ?? 0))
    await stopAgent(child)
  }
}
rmSync(buildDir, { recursive: true, force: true })

const agent = await startAgent()
const rssReady = rssMb(agent.child.pid ?? 0)
const browser = await launchChromium()
const page = await browser.newPage({ viewport: { width: 1280, height: 1024 } })
await page.goto(`${agent.url}/#token=${agent.token}`)
const latencies: number[] = []
for (let i = -1; i < READS; i++) {
  await page.locator('.attract-touch').click()
  await page.locator('[data-screen="card"]').waitFor()
  reader.removeCard()
  // The agent sees the empty field; a random extra wait samples every phase of the poll timer.
  await sleep(POLL_MS * 2 + Math.random() * POLL_MS)
  await page.evaluate(() => {
    const w = window as unknown as { seenAt?: number }
    w.seenAt = undefined
    new MutationObserver((_m, observer) => {
      if (document.querySelector('.citizen-name')) {
        w.seenAt = Date.now()
        observer.disconnect()
      }
    }).observe(document.body, { childList: true, subtree: true })
  })
  const placedAt = Date.now()
  reader.presentCard(card)
  await page.waitForFunction(() => (window as unknown as { seenAt?: number }).seenAt !== undefined, undefined, {
    polling: 10,
  })
  const seenAt = await page.evaluate(() => (window as unknown as { seenAt: number }).seenAt)
  if (i >= 0) latencies.push(seenAt - placedAt) // the first is warm-up
  await page.getByRole('button', { name: '办理完成' }).click()
  await page.locator('[data-screen="attract"]').waitFor()
}
const rssAfter = rssMb(agent.child.pid ?? 0)
await browser.close()
await stopAgent(agent.child)
await reader.stop()
await printer.stop()
await readerPty.close()
await receiptPty.close()
await new Promise((r) => mqttServer.close(r))
await new Promise<void>((r) => broker.close(() => r()))

const cold = stats(coldStarts)
const coldB = stats(coldBuilt)
const rssT = stats(rssTsx)
const rssB = stats(rssBuilt)
const lat = stats(latencies)
console.log('bench:kiosk — kiosk agent (id machine) with GA 467 + ESC/POS emulators on ptys, UI in Chromium')
console.log(
  `cold start → UI ready     median ${ms(cold.median)}  min ${ms(cold.min)}  max ${ms(cold.max)}  (${STARTS} starts)`,
)
console.log(
  `cold start, built bundle  median ${ms(coldB.median)}  min ${ms(coldB.min)}  max ${ms(coldB.max)}  (${STARTS} starts); tsx / built ${(cold.median / coldB.median).toFixed(2)}×`,
)
console.log(
  `memory when ready         tsx median ${rssT.median.toFixed(0)} MB, built ${rssB.median.toFixed(0)} MB; tsx / built ${(rssT.median / rssB.median).toFixed(2)}×`,
)
console.log(
  `resident memory (tsx)     ${rssReady.toFixed(0)} MB when ready, ${rssAfter.toFixed(0)} MB after ${READS + 1} sessions`,
)
console.log(
  `card placed → name shown  median ${ms(lat.median)}  p90 ${ms(lat.p90)}  min ${ms(lat.min)}  max ${ms(lat.max)}  (${READS} cards)`,
)
console.log(
  `reader wire time          ${ms(WIRE_MS)} (${READ_BYTES} B at ${BAUD} 8N1); the reader polls every ${POLL_MS} ms,`,
)
console.log(
  `                          so a card waits 0–${POLL_MS} ms to be noticed: expected ≈ wire + ${POLL_MS / 2} ms on average`,
)
console.log(
  `ratio median / wire       ${(lat.median / WIRE_MS).toFixed(2)}×; minus the mean poll wait: ${((lat.median - POLL_MS / 2) / WIRE_MS).toFixed(2)}×`,
)
process.exit(0)
