/**
 * npm run bench:catalogue — the service catalogue at scale. Prints, each next to its baseline
 * measured in the same run:
 *  1. catalogue load (read + validate every file + pinyin search keys) for 200 services vs the 7
 *     services the kiosk had before catalogues;
 *  2. menu render in Debian Chromium (touch → first page of tiles) with 200 vs 7 services;
 *  3. card-to-result for a service run by the flow engine (ID card presented → progress shown),
 *     next to the ID-card reader's own wire time for the same read (bytes × 10 bits at 115200 baud;
 *     the emulated reader is paced at that rate, as a real reader's line is).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CatalogueStore, DEFAULT_CATALOGUE_DIR, loadCatalogueDir, readCatalogueFiles } from '@kiosk/agent'
import pino from 'pino'
import { launchChromium } from '../../tests/support/browser.ts'
import { fixtureCard, startKioskRig } from '../../tests/support/kiosk-rig.ts'
import { startStack } from '../../tests/support/stack.ts'

const LEGACY = [
  'id-progress',
  'id-receipt',
  'license-print',
  'tax-certificate',
  'tax-invoice',
  'tax-document-scan',
  'ss-certificate',
]
const RUNS = Number(process.env['BENCH_RUNS'] ?? 10)
const logger = pino({ level: 'silent' })
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN

/** A catalogue folder with the 7 legacy services, or the demo catalogue grown to `count` services. */
function catalogueOf(count: number | 'legacy'): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-catalogue-'))
  cpSync(DEFAULT_CATALOGUE_DIR, dir, { recursive: true })
  const files = readCatalogueFiles(dir)
  const services = files.filter((f) => f.path.includes('/services/'))
  if (count === 'legacy') {
    for (const f of services) {
      if (!LEGACY.some((id) => f.path.endsWith(`/${id}.json`))) rmSync(join(dir, f.path))
    }
    return dir
  }
  let n = services.length
  for (let copy = 1; n < count; copy++) {
    for (const f of services) {
      if (n >= count) break
      const def = JSON.parse(Buffer.from(f.content).toString('utf8'))
      def.id = `${def.id}-${copy}`.slice(0, 60)
      def.name = { zh: `${def.name.zh}（${copy}）`, en: `${def.name.en} (${copy})` }
      const [department] = f.path.split('/')
      mkdirSync(join(dir, String(department), 'services'), { recursive: true })
      writeFileSync(join(dir, String(department), 'services', `${def.id}.json`), JSON.stringify(def))
      n++
    }
  }
  return dir
}

function loadTime(dir: string): number {
  const times: number[] = []
  for (let i = -2; i < RUNS; i++) {
    const started = performance.now()
    const catalogue = loadCatalogueDir(dir)
    const store = new CatalogueStore({ catalogue, offer: ['*'], busy: () => false, logger })
    if (store.offered().length === 0) throw new Error('empty catalogue')
    if (i >= 0) times.push(performance.now() - started)
  }
  return median(times)
}

const big = catalogueOf(200)
const legacy = catalogueOf('legacy')
const loadBig = loadTime(big)
const loadLegacy = loadTime(legacy)
console.log(`catalogue load, 200 services: ${loadBig.toFixed(1)} ms (median of ${RUNS})`)
console.log(`catalogue load, 7 services:   ${loadLegacy.toFixed(1)} ms — ratio ${(loadBig / loadLegacy).toFixed(1)}×`)

const stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
const browser = await launchChromium()
try {
  const renderTimes: Record<string, number> = {}
  for (const [name, dir] of [
    ['200', big],
    ['7', legacy],
  ] as const) {
    const rig = await startKioskRig({
      kioskId: `bench-cat-${name}`,
      machineType: 'comprehensive',
      mqttUrl: stack.mqttUrl,
      config: { catalogue: { dir, offer: ['*'] } },
    })
    const page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage()
    await page.goto(rig.uiUrl)
    await page.locator('[data-screen="attract"]').waitFor()
    const times: number[] = []
    for (let i = -2; i < RUNS; i++) {
      const ms = await page.evaluate(async () => {
        const started = performance.now()
        ;(document.querySelector('.attract-touch') as HTMLElement).click()
        while (!document.querySelector('[data-screen="menu"] .tile')) await new Promise((r) => requestAnimationFrame(r))
        return performance.now() - started
      })
      if (i >= 0) times.push(ms)
      await page.click('text=回到首页')
      await page.locator('[data-screen="attract"]').waitFor()
    }
    renderTimes[name] = median(times)
    await page.context().close()
    await rig.stop()
  }
  const r200 = renderTimes['200'] ?? Number.NaN
  const r7 = renderTimes['7'] ?? Number.NaN
  console.log(`menu render, 200 services: ${r200.toFixed(1)} ms (median of ${RUNS}, touch → first page of tiles)`)
  console.log(`menu render, 7 services:   ${r7.toFixed(1)} ms — ratio ${(r200 / r7).toFixed(2)}×`)

  // Card to result: an ID kiosk, the engine running id-progress against the demo gateway.
  const rig = await startKioskRig({
    kioskId: 'bench-cat-card',
    machineType: 'id',
    mqttUrl: stack.mqttUrl,
    pacedReader: true,
  })
  const card = fixtureCard('resident-zhang-san')
  const page = await (await browser.newContext({ viewport: { width: 1080, height: 1920 } })).newPage()
  await page.goto(rig.uiUrl)
  const reader = rig.agent.devices.cardReader()
  if (!reader) throw new Error('no card reader')
  const totals: number[] = []
  const wires: number[] = []
  for (let i = -2; i < RUNS; i++) {
    await page.locator('[data-screen="attract"]').waitFor()
    await page.click('.attract-touch')
    await page.locator('[data-screen="card"]').waitFor()
    rig.reader.removeCard()
    const before = reader.getCounters()
    const started = performance.now()
    rig.reader.presentCard(card)
    await page.locator('[data-screen="result"] .record').first().waitFor()
    const elapsed = performance.now() - started
    const after = reader.getCounters()
    const bytes =
      (after['bytesSent'] ?? 0) -
      (before['bytesSent'] ?? 0) +
      (after['bytesReceived'] ?? 0) -
      (before['bytesReceived'] ?? 0)
    if (i >= 0) {
      totals.push(elapsed)
      wires.push((bytes * 10 * 1000) / 115200)
    }
    await page.click('text=办理完成')
    // The kiosk asks for the card back ("请取走您的身份证") until it is lifted, as a citizen does.
    await page.locator('[data-screen="takeCard"]').waitFor()
    rig.reader.removeCard()
  }
  const total = median(totals)
  const wire = median(wires)
  console.log(`card to result (engine, id-progress): ${total.toFixed(0)} ms (median of ${RUNS})`)
  console.log(`reader wire time of the same read:    ${wire.toFixed(0)} ms — ratio ${(total / wire).toFixed(2)}×`)
  await page.context().close()
  await rig.stop()
} finally {
  await browser.close()
  await stack.stop()
  rmSync(big, { recursive: true, force: true })
  rmSync(legacy, { recursive: true, force: true })
}
