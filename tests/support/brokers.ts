import { inject } from 'vitest'
import { type MosquittoAuth, type MosquittoProcess, startMosquitto } from './mosquitto.ts'

/** The machine's Mosquitto binary (found by global-setup), on a private port and directory. */
export function startTestMosquitto(
  options: { auth?: MosquittoAuth; tls?: { ca: string; cert: string; key: string } } = {},
): Promise<MosquittoProcess> {
  return startMosquitto(inject('mosquittoPath'), options)
}
