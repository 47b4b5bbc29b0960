/**
 * 人证核验: is the person in front of the camera alive, and the holder of the card just read?
 *
 * `verify(cardPhoto, liveFrames)` → decision. Two implementations share this contract: the
 * on-device one runs in the citizen UI (face models from @vladmandic/human, kiosk/ui/public/js/
 * identity/face-check.js; the UI reports its decision with `Identity.FaceResult`), and
 * `RemoteIdentityVerifier` here asks an identity platform over HTTP. Face images and embeddings
 * are personal data: never logged, never on MQTT, dropped when the session ends.
 */
export type FaceOutcome = 'match' | 'noMatch' | 'spoof' | 'noFace' | 'unavailable' | 'cameraNotReady'

export interface FaceDecision {
  outcome: FaceOutcome
  /** 0..1 when the verifier computed one; numbers only, never an embedding. */
  similarity?: number
}

export interface CardPhotoImage {
  mimeType: string
  bytes: Uint8Array
}

export interface IdentityVerifier {
  readonly kind: 'remote' | 'onDevice'
  verify(cardPhoto: CardPhotoImage, liveFrames: readonly Uint8Array[]): Promise<FaceDecision>
}

/** The UI's error code for each failed outcome (the UI words it; the agent counts it as a try or not). */
export const OUTCOME_ERRORS: Record<Exclude<FaceOutcome, 'match'>, string> = {
  noMatch: 'faceNoMatch',
  spoof: 'faceSpoof',
  noFace: 'faceNoFace',
  unavailable: 'faceUnavailable',
  cameraNotReady: 'cameraNotReady',
}

/** Outcomes that count as one of the citizen's tries; a broken camera or platform does not. */
export const COUNTED_OUTCOMES: readonly FaceOutcome[] = ['noMatch', 'spoof', 'noFace']
