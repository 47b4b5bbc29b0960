/**
 * One `npm run sim` worker process: its share of the simulated kiosks (SIM_JOB from main.ts),
 * connected in small waves so a broker is not hit by thousands of CONNECTs at once; reports
 * progress to the parent every 250 ms.
 */
import { type SimKiosk, startSimKiosk } from './sim-kiosk.ts'

interface Job {
  worker: number
  url: string
  messages: number
  inflight: number
  kiosks: { id: string; password: string | undefined }[]
}

const job = JSON.parse(process.env.SIM_JOB ?? '{}') as Job
const kiosks: SimKiosk[] = []
const report = (done: boolean, error?: string) =>
  process.send?.({
    worker: job.worker,
    connected: kiosks.filter((k) => k.connected).length,
    acked: kiosks.reduce((n, k) => n + k.acked.size, 0),
    answered: kiosks.reduce((n, k) => n + k.answered, 0),
    done,
    ...(error === undefined ? {} : { error }),
  })
const timer = setInterval(() => report(false), 250)
try {
  const WAVE = 50
  for (let i = 0; i < job.kiosks.length; i += WAVE) {
    const wave = job.kiosks.slice(i, i + WAVE)
    kiosks.push(
      ...(await Promise.all(
        wave.map((k) => startSimKiosk({ kioskId: k.id, url: job.url, password: k.password, inflight: job.inflight })),
      )),
    )
  }
  await Promise.all(kiosks.map((k) => k.drain(job.messages)))
  clearInterval(timer)
  report(true)
} catch (err) {
  clearInterval(timer)
  report(true, (err as Error).message)
}
await Promise.all(kiosks.map((k) => k.close().catch(() => undefined)))
process.disconnect?.()
