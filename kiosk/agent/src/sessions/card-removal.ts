import { identifiedByIdCard, identifiedBySsCard } from '../identity/admit-card.ts'
import type { SessionManager } from './session-manager.ts'

/** The one event of a card reader this needs: the card left the reader. */
export interface CardLiftSource {
  on(event: 'cardRemoved', listener: () => void): () => void
}

export interface CardRemovalOptions {
  sessions: SessionManager
  /** The ID card reader, when the kiosk has one. */
  idReader?: CardLiftSource
  /** The social-security card's PC/SC reader, when the kiosk has one. */
  ssReader?: CardLiftSource
  /** The service definition's `endsOnCardRemoval` (false for a service the catalogue no longer has). */
  endsOnCardRemoval(serviceId: string): boolean
}

/**
 * Ends the current session when its card leaves the reader, as the service definition says.
 *
 * - ID card (with or without a face check): read once; the photo for the face check is already in
 *   the session. Lifting it ends the session only when the service's `endsOnCardRemoval` is true;
 *   otherwise the session goes on until done, canceled or timed out (each ends and wipes it).
 * - Social-security card: the holder is read from the card with its PIN, so until the PIN has
 *   identified the citizen, taking the card out always ends the session. After that the flag applies.
 *
 * Returns the function that stops listening.
 */
export function endSessionsOnCardRemoval(options: CardRemovalOptions): () => void {
  const { sessions } = options
  const offs: (() => void)[] = []
  if (options.idReader) {
    offs.push(
      options.idReader.on('cardRemoved', () => {
        const session = sessions.current
        if (!session?.citizen || !identifiedByIdCard(session)) return
        if (options.endsOnCardRemoval(session.serviceId)) sessions.end('cardRemoved')
      }),
    )
  }
  if (options.ssReader) {
    offs.push(
      options.ssReader.on('cardRemoved', () => {
        const session = sessions.current
        if (!session || !identifiedBySsCard(session)) return
        // No citizen yet: the PIN is being typed or checked, and that needs the card.
        if (!session.citizen || options.endsOnCardRemoval(session.serviceId)) sessions.end('cardRemoved')
      }),
    )
  }
  return () => {
    for (const off of offs) off()
  }
}
