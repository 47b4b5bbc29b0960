import { parseTopic } from '@kiosk-fleet/protocol'
import type { Ingestor } from './ingestor.ts'

/**
 * The embedded broker's in-process hand-over to ingest (embedded-broker.ts `ingest`): every kiosk
 * report goes to the ingestor, and the broker acknowledges it to the kiosk once it is committed.
 * Command responses and requests are not ingest's: they travel through the broker as usual.
 */
export function brokerHandOver(ingestor: Ingestor) {
  return (message: { topic: string; payload: Uint8Array; retain: boolean }, commit: () => void): boolean => {
    const kind = parseTopic(message.topic)?.kind
    if (kind === 'response' || kind === 'request') return false
    ingestor.accept({ topic: message.topic, payload: message.payload, retained: message.retain, ack: commit })
    return true
  }
}
