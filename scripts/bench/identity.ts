/**
 * npm run bench:identity — 人证核验 on the kiosk itself, as a citizen meets it:
 *  1. face models (@vladmandic/human, from the npm package) load time in the kiosk's Chromium
 *     (WebGL on SwiftShader: a kiosk PC without a usable GPU) and the page's JS heap after loading;
 *  2. card placed on the emulated GA 467 reader → face decision on screen, next to the reader's
 *     wire time plus the fixed capture window (frames × interval), over BENCH_FACE_RUNS tries;
 *  3. false-reject and false-accept rates at the decision threshold on the labelled faces cut from
 *     the package's assets/screenshot-facematch.jpg (tests/support/face-media.ts says which).
 * Real parts: the agent in-process with its drivers on socat ptys, an in-process Aedes broker,
 * Chromium's fake camera fed from a video made of a face image.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Aedes } from 'aedes'
import { launchChromium } from '../../tests/support/browser.ts'
import { cameraVideo, cardPhotoOf, faceCell, OTHER_PEOPLE, SAME_PERSON } from '../../tests/support/face-media.ts'
import { fixtureCard, startKioskRig } from '../../tests/support/kiosk-rig.ts'

const RUNS = Number(process.env.BENCH_FACE_RUNS ?? 3)
const IMPOSTORS = Number(process.env.BENCH_FACE_IMPOSTORS ?? 24)
const BAUD = 115200
const READ_BYTES = 3 * 10 + 15 + 19 + 1295
const WIRE_MS = (READ_BYTES * 10 * 1000) / BAUD
const ms = (n: number) => `${n.toFixed(0)} ms`
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN

const dir = mkdtempSync(join(tmpdir(), 'bench-identity-'))
const holder = SAME_PERSON[0] as { row: number; col: number }
const card = { ...fixtureCard('resident-zhang-san'), photoWlt: cardPhotoOf(holder, dir) }

const broker = await Aedes.createBroker()
const mqttServer = createServer(broker.handle)
await new Promise<void>((ok) => mqttServer.listen(0, '127.0.0.1', ok))
const mqttPort = (mqttServer.address() as { port: number }).port
const rig = await startKioskRig({
  kioskId: 'bench-face-01',
  machineType: 'tax',
  mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
  identity: { faceCheck: 'onDevice' },
})
const browser = await launchChromium({
  cameraFile: cameraVideo(SAME_PERSON[1] as { row: number; col: number }, true, dir),
  webgl: true,
})
const page = await browser.newPage({ viewport: { width: 1080, height: 1920 } })
await page.goto(rig.uiUrl)
await page.locator('[data-screen="attract"]').waitFor()

// 1. Model load (a fresh verifier in the page: the kiosk does this once at start).
const load = await page.evaluate(async () => {
  const faceCheckJs = '/js/identity/face-check.js'
  const { OnDeviceVerifier, CAPTURE } = await import(faceCheckJs)
  const started = performance.now()
  const verifier = new OnDeviceVerifier()
  await verifier.load()
  const w = window as unknown as { benchVerifier: unknown }
  w.benchVerifier = verifier
  return { loadMs: performance.now() - started, captureMs: CAPTURE.frames * CAPTURE.intervalMs }
})
const cdp = await page.context().newCDPSession(page)
await cdp.send('Performance.enable')
const metrics = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }
const heapMb = (metrics.metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1024 / 1024

// 2. Card on the reader → decision on screen.
const totals: number[] = []
const checks: number[] = []
for (let i = -1; i < RUNS; i++) {
  rig.reader.removeCard()
  await page.locator('.attract-touch').click()
  // A tax machine offers several services: the menu comes first.
  await page.locator('[data-screen="menu"]').waitFor()
  await page.click('.tile[data-service="tax-certificate"]')
  await page.locator('[data-screen="card"]').waitFor()
  const placedAt = Date.now()
  rig.reader.presentCard(card)
  await page.locator('[data-screen="face"]').waitFor()
  const clickedAt = Date.now()
  await page.click('[data-action="face-start"]')
  await page.locator('[data-screen="result"]').waitFor({ timeout: 600_000 })
  const decidedAt = Date.now()
  if (i >= 0) {
    totals.push(decidedAt - placedAt)
    checks.push(decidedAt - clickedAt)
  }
  rig.reader.removeCard()
  await page.locator('[data-screen="attract"]').waitFor()
}

// 3. Labelled pairs: genuine = two photos of the same man; impostor = him against another person.
const image = (cell: { row: number; col: number }) =>
  `data:image/png;base64,${readFileSync(faceCell(cell, dir)).toString('base64')}`
// tsx compiles this file with esbuild's keepNames: functions inside page.evaluate call __name().
await page.evaluate('window.__name = (f) => f')
const rates = await page.evaluate(
  async ({ same, others }) => {
    const faceCheckJs = '/js/identity/face-check.js'
    const humanJs = '/vendor/human/dist/human.esm.js'
    const { THRESHOLDS } = await import(faceCheckJs)
    const { Human } = await import(humanJs)
    const human = new Human({
      modelBasePath: '/vendor/human/models/',
      face: {
        detector: { rotation: false, maxDetected: 1 },
        description: { enabled: true },
        emotion: { enabled: false },
      },
      body: { enabled: false },
      hand: { enabled: false },
      gesture: { enabled: false },
    })
    await human.load()
    const embed = async (src: string) => {
      const img = new Image()
      img.src = src
      await img.decode()
      const face = (await human.detect(img)).face[0]
      return face?.embedding as number[] | undefined
    }
    const a = (await Promise.all(same.map(embed))).filter((e): e is number[] => e !== undefined)
    const b = (await Promise.all(others.map(embed))).filter((e): e is number[] => e !== undefined)
    let genuine = 0
    let rejected = 0
    for (let i = 0; i < a.length; i++)
      for (let j = i + 1; j < a.length; j++) {
        genuine++
        if (human.match.similarity(a[i], a[j]) < THRESHOLDS.similarity) rejected++
      }
    let impostor = 0
    let accepted = 0
    for (const x of a)
      for (const y of b) {
        impostor++
        if (human.match.similarity(x, y) >= THRESHOLDS.similarity) accepted++
      }
    return {
      threshold: THRESHOLDS.similarity,
      found: [a.length, same.length, b.length, others.length],
      genuine,
      rejected,
      impostor,
      accepted,
    }
  },
  { same: SAME_PERSON.map(image), others: OTHER_PEOPLE.slice(0, IMPOSTORS).map(image) },
)

await browser.close()
await rig.stop()
await new Promise((r) => mqttServer.close(r))
await new Promise<void>((r) => broker.close(() => r()))

const baseline = WIRE_MS + load.captureMs
const total = median(totals)
console.log(
  'bench:identity — on-device face check (@vladmandic/human in Chromium, WebGL on SwiftShader), GA 467 on a pty',
)
console.log(
  `model load                 ${ms(load.loadMs)} (once per kiosk start); page JS heap ${heapMb.toFixed(0)} MB after loading`,
)
console.log(`card placed → decision     median ${ms(total)} over ${RUNS} tries (start pressed at once)`)
console.log(`  of which start → decision median ${ms(median(checks))}`)
console.log(
  `baseline: wire + capture   ${ms(baseline)} = ${ms(WIRE_MS)} reader wire time + ${ms(load.captureMs)} capture window`,
)
console.log(`ratio decision / baseline  ${(total / baseline).toFixed(2)}×`)
console.log(
  `false reject rate          ${rates.rejected}/${rates.genuine} genuine pairs = ${((100 * rates.rejected) / Math.max(1, rates.genuine)).toFixed(1)}% at similarity ≥ ${rates.threshold}`,
)
console.log(
  `false accept rate          ${rates.accepted}/${rates.impostor} impostor pairs = ${((100 * rates.accepted) / Math.max(1, rates.impostor)).toFixed(2)}%`,
)
console.log(
  `faces found                ${rates.found[0]}/${rates.found[1]} of the holder, ${rates.found[2]}/${rates.found[3]} others (assets/screenshot-facematch.jpg of @vladmandic/human)`,
)
process.exit(0)
