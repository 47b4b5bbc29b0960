import type { IdCardType } from '@drivers/core'

/**
 * Which card types a service accepts (and, before the service definitions carried it, whether it
 * needs a face check: that now comes from the definition's `identity: 'idCardFace'`). A small table
 * here until the service-definition schema in protocol/ carries `acceptedCardTypes`; then it is
 * read from the definition instead (same shape).
 */
export interface IdentityRequirement {
  /** Face check against the ID-card photo, with liveness, before any personal data is shown. */
  faceCheck: boolean
  /** Card types the service accepts; others are refused with `cardTypeNotAccepted`. */
  acceptedCardTypes: readonly IdCardType[]
}

const ALL_CARDS: readonly IdCardType[] = ['resident', 'foreignPermanent', 'hkMacauTaiwan']

/** Services that show or print personal records require a face check; progress lookup does too (it shows the name). */
export const IDENTITY_REQUIREMENTS: Readonly<Record<string, IdentityRequirement>> = {
  'id-progress': { faceCheck: true, acceptedCardTypes: ALL_CARDS },
  'license-print': { faceCheck: true, acceptedCardTypes: ALL_CARDS },
  'tax-certificate': { faceCheck: true, acceptedCardTypes: ALL_CARDS },
  // Social insurance: the PIN is the second factor; resident cards and permits only (no foreign-card records in the demo).
  'ss-certificate': { faceCheck: false, acceptedCardTypes: ['resident', 'hkMacauTaiwan'] },
}

/** A service without an entry gets the strict default: face check, every card type. */
export function identityRequirementFor(serviceId: string): IdentityRequirement {
  return IDENTITY_REQUIREMENTS[serviceId] ?? { faceCheck: true, acceptedCardTypes: ALL_CARDS }
}
