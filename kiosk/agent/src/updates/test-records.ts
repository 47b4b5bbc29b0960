import { UPDATE_STATE_SCHEMA_VERSION, type UpdateRecord } from './update-state-store.ts'

/** For tests: the record the update agent leaves while app release `version` is in `state`. */
export function appUpdateRecord(
  version: string,
  state: UpdateRecord['state'],
  previousVersion: string,
  kind: 'app' | 'config' = 'app',
): UpdateRecord {
  return {
    schemaVersion: UPDATE_STATE_SCHEMA_VERSION,
    deploymentId: `ro_${version}`,
    artifact: { version, target: `app/${version}/kiosk-app-${version}.tar.gz`, kind },
    state,
    loopCount: 1,
    previousVersion,
    stagedPath: null,
    errorCode: null,
    reported: true,
    updatedAt: 1,
  }
}
