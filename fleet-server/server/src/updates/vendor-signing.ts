/**
 * Signing a vendor's delegated targets metadata on the vendor's own machine (`fleetctl artifacts push
 * --key`). Pure: @tufjs/models and node:crypto only, no server code, so the CLI can import it.
 */
import { Metadata, MetadataKind } from '@tufjs/models'
import { createSigner, type TufKeyPairJson } from './tuf-keys.ts'

export interface VendorSignature {
  keyid: string
  sig: string
}

/**
 * Signs `metadata` (the `signed` object of a signing request, or a whole `{signed, signatures}`
 * document) with each key pair. Returns the signatures to send (`POST /api/artifacts/:id/signatures`)
 * and the signed document. Throws when the metadata is not targets metadata or a key pair is malformed.
 */
export function signVendorMetadata(
  metadata: unknown,
  keyPairs: TufKeyPairJson[],
): { signatures: VendorSignature[]; metadata: Record<string, unknown> } {
  if (keyPairs.length === 0) throw new Error('at least one key pair is needed to sign')
  const document =
    typeof metadata === 'object' && metadata !== null && 'signed' in metadata
      ? { ...(metadata as Record<string, unknown>), signatures: [] }
      : { signed: metadata, signatures: [] }
  const parsed = Metadata.fromJSON(MetadataKind.Targets, document as never)
  for (const pair of keyPairs) parsed.sign(createSigner(pair).sign, true)
  const json = parsed.toJSON() as { signatures: VendorSignature[] } & Record<string, unknown>
  return { signatures: json.signatures.map((s) => ({ keyid: s.keyid, sig: s.sig })), metadata: json }
}
