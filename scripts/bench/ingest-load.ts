/**
 * Health messages from simulated kiosks (QoS 1, one MQTT connection each, as kiosks publish), to
 * measure the fleet-server's sustainable ingest rate and then to offer a steady load beside the
 * dashboard's readers.
 */
import { topics } from '@kiosk-fleet/protocol'
import mqtt, { type MqttClient } from 'mqtt'

export interface IngestLoadOptions {
  brokerUrl: string
  kioskIds: string[]
  /** The message a kiosk sends as its `seq`-th health snapshot. */
  payload: (kioskId: string, seq: number) => string
  /** Messages written by the fleet so far (its ingestor's counter, `GET /api/ingest/stats`). */
  written: () => Promise<number>
}

export interface PacedRun {
  /**
   * Stops publishing; offered and kept rates over the run, msg/s. Kept counts what the run's messages
   * took to be committed: the time runs on until they all are (or 30 s more), so a backlog lowers it.
   */
  stop(): Promise<{ offered: number; kept: number; seconds: number }>
}

export class IngestLoad {
  private clients: MqttClient[] = []
  /** Each kiosk numbers its own messages: a counter shared by all would look like gaps to the fleet. */
  private seqs: number[] = []

  constructor(private readonly options: IngestLoadOptions) {}

  async connect(): Promise<void> {
    this.clients = await Promise.all(
      this.options.kioskIds.map((id) =>
        mqtt.connectAsync(this.options.brokerUrl, { clientId: `bench-${id}`, protocolVersion: 4, clean: true }),
      ),
    )
  }

  private publish(i: number): Promise<unknown> {
    const id = this.options.kioskIds[i] as string
    const client = this.clients[i] as MqttClient
    const seq = (this.seqs[i] ?? 1000) + 1
    this.seqs[i] = seq
    return client.publishAsync(topics.health(id), this.options.payload(id, seq), { qos: 1 })
  }

  /** As fast as the fleet takes them: `count` messages, each kiosk with 32 in flight; committed msg/s. */
  async sustainable(count: number, timeoutMs = 300_000): Promise<number> {
    const before = await this.options.written()
    const started = performance.now()
    const perClient = Math.ceil(count / this.clients.length)
    await Promise.all(
      this.clients.map(async (_c, i) => {
        const window: Promise<unknown>[] = []
        for (let n = 0; n < perClient; n++) {
          window.push(this.publish(i))
          if (window.length >= 32) await window.shift()
        }
        await Promise.all(window)
      }),
    )
    const target = before + perClient * this.clients.length
    const deadline = Date.now() + timeoutMs
    while ((await this.options.written()) < target) {
      if (Date.now() > deadline) throw new Error('ingest did not commit the burst in time')
      await new Promise((r) => setTimeout(r, 20))
    }
    return (perClient * this.clients.length) / ((performance.now() - started) / 1000)
  }

  /**
   * The highest steady rate the fleet keeps up with, msg/s: a burst commits in large batches and so
   * overstates what a steady stream of small batches sustains. Starting at `estimate`, each trial
   * offers a steady load for `seconds`; the first that is kept (≥ 95 % committed, with no backlog
   * left behind) is the answer, otherwise the next trial offers 90 % of what the last one kept.
   */
  async steadyRate(
    estimate: number,
    seconds: number,
    report: (line: string) => void = () => undefined,
  ): Promise<number> {
    let rate = estimate
    for (let trial = 1; trial <= 5; trial++) {
      const run = await this.paced(rate)
      await new Promise((r) => setTimeout(r, seconds * 1000))
      const { offered, kept } = await run.stop()
      report(`  trial ${trial}: offered ${offered.toFixed(0)} msg/s, kept ${kept.toFixed(0)} msg/s`)
      if (kept >= 0.95 * offered) return offered
      rate = 0.9 * kept
    }
    return rate
  }

  /** A steady `rate` msg/s spread over the kiosks in 50 ms ticks, until stopped. */
  async paced(rate: number): Promise<PacedRun> {
    const tickMs = 50
    const writtenAtStart = await this.options.written()
    const started = performance.now()
    let published = 0
    let next = 0
    let stopped = false
    const inFlight = new Set<Promise<unknown>>()
    const loop = (async () => {
      while (!stopped) {
        const due = Math.floor((rate * (performance.now() - started)) / 1000) - published
        for (let n = 0; n < due; n++) {
          const p = this.publish(next).finally(() => inFlight.delete(p))
          inFlight.add(p)
          next = (next + 1) % this.clients.length
          published += 1
        }
        await new Promise((r) => setTimeout(r, tickMs))
      }
    })()
    return {
      stop: async () => {
        stopped = true
        await loop
        const seconds = (performance.now() - started) / 1000
        await Promise.all(inFlight)
        const drainBy = Date.now() + 30_000
        let written = (await this.options.written()) - writtenAtStart
        while (written < published && Date.now() < drainBy) {
          await new Promise((r) => setTimeout(r, 20))
          written = (await this.options.written()) - writtenAtStart
        }
        const kept = written / ((performance.now() - started) / 1000)
        return { offered: published / seconds, kept, seconds }
      },
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync()))
  }
}
