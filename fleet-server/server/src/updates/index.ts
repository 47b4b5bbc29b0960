export {
  type Artifact,
  type ArtifactApproval,
  type ArtifactCompatibility,
  type ArtifactKind,
  type ArtifactListFilter,
  ArtifactRepo,
  type ArtifactStatus,
  type ArtifactUpload,
  type ArtifactWithApprovals,
  type UpdateVendor,
} from './artifact-repo.ts'
export {
  type Actor,
  APP_VERSION_PATTERN,
  ArtifactService,
  artifactTargetPath,
  type NewArtifactRequest,
  targetCustom,
} from './artifact-service.ts'
export {
  DatabaseMetadataStore,
  TargetBlobDirectory,
  TUF_REPOSITORY_LOCK,
  writeFileDurably,
} from './database-metadata-store.ts'
export {
  type DeviceModelCatalog,
  type DeviceModelInfo,
  type DeviceModelUpdateSupport,
  deviceModelCatalog,
  vendorIdOfModel,
} from './device-models.ts'
export { DirectoryMetadataStore, MemoryMetadataStore, type TufMetadataStore } from './metadata-store.ts'
export {
  createDevelopmentUpdateKeys,
  loadOnlineSigners,
  type RefreshStats,
  RepositoryRefresher,
  setUpUpdateRepository,
  type UpdateRepositoryState,
} from './repository-setup.ts'
export { createOnlineKeys, createRoot, ONLINE_KEYS_FILE, signRoot } from './root-keys-cli.ts'
export { buildRoot, type NextRootInput, type RootInput, signNextRoot, TUF_SPEC_VERSION } from './root-metadata.ts'
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
  type VendorSigningRequest,
  type VendorTargetInput,
  vendorPaths,
  vendorRoleName,
} from './tuf-repository.ts'
export { type UpdateErrorCode, UpdateErrorCodes, UpdateRepositoryError } from './update-errors.ts'
export { startUpdateRuntime, type UpdateRuntime, type UpdatesSettings } from './update-runtime.ts'
export { UploadSpool } from './upload-spool.ts'
export { signVendorMetadata, type VendorSignature } from './vendor-signing.ts'
