export {
  admitCard,
  faceCheckPending,
  IDENTITY_KEYS,
  identifiedByIdCard,
  identifiedBySsCard,
  REFUSAL_CODES,
} from './admit-card.ts'
export {
  type CardPhotoDecoder,
  decodeCardPhoto,
  encodeTestPhoto,
  TEST_PHOTO_MAGIC,
  testContainerPhotoDecoder,
} from './card-photo.ts'
export { CardPresence } from './card-presence.ts'
export { type CardRefusal, type CardValidity, checkCardValidity } from './card-validity.ts'
export {
  type DemoIdentityPlatform,
  type DemoPlatformDecision,
  startDemoIdentityPlatform,
} from './demo-identity-platform.ts'
export { IDENTITY_REQUIREMENTS, type IdentityRequirement, identityRequirementFor } from './identity-requirements.ts'
export type { CardPhotoImage, FaceDecision, FaceOutcome, IdentityVerifier } from './identity-verifier.ts'
export { RemoteIdentityVerifier, remoteVerifierFrom } from './remote-identity-verifier.ts'
