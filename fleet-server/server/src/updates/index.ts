export { DirectoryMetadataStore, MemoryMetadataStore, type TufMetadataStore } from './metadata-store.ts'
export { buildRoot, type RootInput, TUF_SPEC_VERSION } from './root-metadata.ts'
export {
  createSigner,
  generateTufKeyPair,
  isTufKeyPairJson,
  publicKeyOf,
  type TufKeyPairJson,
  type TufPublicKeyJson,
  type TufSigner,
  tufKeyId,
} from './tuf-keys.ts'
export {
  DEFAULT_LIFETIMES,
  hashPrefixedTargetPath,
  type OnlineSigners,
  type RefreshOutcome,
  type RepositoryLifetimes,
  TufRepository,
  vendorPaths,
  vendorRoleName,
} from './tuf-repository.ts'
export { UpdateErrorCodes, UpdateRepositoryError } from './update-errors.ts'
