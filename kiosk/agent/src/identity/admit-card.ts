import type { IdentityCard } from '@drivers/core'
import type { CitizenSession, CitizenView } from '../sessions/citizen-session.ts'
import { type CardRefusal, checkCardValidity } from './card-validity.ts'
import { identityRequirementFor } from './identity-requirements.ts'

/** Session keys the identity steps use (the session wipes them with everything else). */
export const IDENTITY_KEYS = {
  identifiedBy: 'identifiedBy',
  cardPhoto: 'identity.cardPhoto',
  faceVerified: 'identity.faceVerified',
  faceFailures: 'identity.faceFailures',
} as const

/** The UI's error codes for refused cards (docs/kiosk-ui.md lists them). */
export const REFUSAL_CODES: Record<CardRefusal, string> = {
  expired: 'cardExpired',
  notYetValid: 'cardNotYetValid',
  unreadableDates: 'cardDatesUnreadable',
  typeNotAccepted: 'cardTypeNotAccepted',
}

export type Admission =
  | { ok: true; citizen: CitizenView; faceCheck: boolean }
  | { ok: false; errorCode: string; reason: CardRefusal }

/**
 * Lets a card identify the session's citizen when the service accepts its type and it is valid
 * today; keeps the card photo for the face check when the service asks for one. A refused card
 * leaves nothing in the session.
 */
export function admitCard(session: CitizenSession, card: IdentityCard, now: Date, faceCheck: boolean): Admission {
  const requirement = identityRequirementFor(session.serviceId)
  const validity = checkCardValidity(card, requirement.acceptedCardTypes, now)
  if (!validity.ok) return { ok: false, errorCode: REFUSAL_CODES[validity.reason], reason: validity.reason }
  const citizen = session.identify({ idNumber: card.idNumber, name: card.name })
  // The same values the flow engine records (identity `idCardFace` or `idCard`).
  session.keep(IDENTITY_KEYS.identifiedBy, faceCheck ? 'idCardFace' : 'idCard')
  if (faceCheck) session.keep(IDENTITY_KEYS.cardPhoto, card.photoWlt)
  return { ok: true, citizen, faceCheck }
}

/** Whether the session was identified by the ID card on the reader (lifting it ends the session). */
export function identifiedByIdCard(session: CitizenSession): boolean {
  const by = session.recall(IDENTITY_KEYS.identifiedBy)
  return by === 'idCard' || by === 'idCardFace'
}

/** Whether the session is the social-security card's in the PC/SC reader (taking it out ends the session). */
export function identifiedBySsCard(session: CitizenSession): boolean {
  return session.recall(IDENTITY_KEYS.identifiedBy) === 'ssCard'
}

/** Whether personal data must still wait: the service's definition asks for a face check that has not passed. */
export function faceCheckPending(session: CitizenSession): boolean {
  if (session.recall(IDENTITY_KEYS.identifiedBy) !== 'idCardFace') return false
  return session.recall(IDENTITY_KEYS.faceVerified) !== true
}
