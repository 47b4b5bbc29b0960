/**
 * Going back to a department's earlier catalogue through the fleet (docs/updates.md "Service
 * catalogues"): a real fleet-server with its TUF repository, the department's real fleetctl, and a
 * real kiosk agent that verifies each bundle in TUF and installs it through its catalogue overlay.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_CATALOGUE_DIR } from '@kiosk/agent'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CatalogueDepartment,
  departmentFolder,
  overlaidDigest,
  screenMatter,
  startCatalogueStack,
} from '../support/catalogue-publishing.ts'
import type { TestStack } from '../support/stack.ts'
import { type Supervised, startUpdatableKiosk } from '../support/updatable-kiosk.ts'
import { createTestUpdateKeys, type TestUpdateKeys } from '../support/update-keys.ts'

const KIOSK = 'cat-rollback-01'

/** A new matter of the medical-insurance department; `name` is what changes between versions. */
const hospitals = (name: string) => screenMatter('mi-designated-hospitals', 'medical-insurance', name)

describe('rolling a department catalogue back through the fleet', () => {
  let stack: TestStack
  let keys: TestUpdateKeys & { cleanup(): Promise<void> }
  let kiosk: Supervised
  let mi: CatalogueDepartment
  const work = mkdtempSync(join(tmpdir(), 'catalogue-rollback-'))

  beforeAll(async () => {
    keys = await createTestUpdateKeys()
    stack = await startCatalogueStack(work, keys)
    kiosk = await startUpdatableKiosk(KIOSK, {
      mqttUrl: stack.mqttUrl,
      fleetUrl: stack.fleet().httpUrl,
      rootJson: keys.rootJson,
      config: { catalogue: { dir: DEFAULT_CATALOGUE_DIR, offer: ['*'] } },
      online: async (id) => (await stack.api<{ state?: string }>(`/api/kiosks/${id}`)).state === 'online',
    })
    mi = new CatalogueDepartment(stack, 'medical-insurance', work)
    await mi.register('医疗保障局')
  })
  afterAll(async () => {
    await kiosk?.stop()
    await stack?.stop()
    await keys?.cleanup()
  })

  it('v1, then v2 with a changed service, then v1 again: the kiosk ends on v1', async () => {
    const v1 = await mi.publish(
      departmentFolder(join(work, 'v1'), 'medical-insurance', {
        'services/mi-designated-hospitals.json': hospitals('医保定点医院查询'),
      }),
      '2026.12.1',
    )
    expect(v1.artifact.status).toBe('ready')
    await mi.approveFor(v1.artifact.id, 'public-security')
    expect(await mi.rollOut(v1.artifact.id, 'mi v1')).toMatchObject({ status: 'completed' })
    const digestV1 = overlaidDigest(DEFAULT_CATALOGUE_DIR, [v1.bytes])
    expect(kiosk.agent.catalogue.catalogue.digest).toBe(digestV1)

    const v2 = await mi.publish(
      departmentFolder(join(work, 'v2'), 'medical-insurance', {
        'services/mi-designated-hospitals.json': hospitals('定点医疗机构查询'),
      }),
      '2026.12.2',
    )
    expect(v2.artifact.status).toBe('ready')
    await mi.approveFor(v2.artifact.id, 'public-security')
    expect(await mi.rollOut(v2.artifact.id, 'mi v2')).toMatchObject({ status: 'completed' })
    expect(kiosk.agent.catalogue.service('mi-designated-hospitals')?.name.zh).toBe('定点医疗机构查询')
    expect(kiosk.agent.catalogue.catalogue.digest).not.toBe(digestV1)

    // Rolled out again as it is, v1 would leave the fleet checking and showing v2 as the department's
    // catalogue while kiosks run v1: refused, naming the way back.
    const direct = await mi.createRollout(v1.artifact.id, 'mi v1 again')
    expect(direct.status).toBe(409)
    expect(direct.body.code).toBe('ERR_FLEET_ROLLOUT_BUNDLE_SUPERSEDED')
    expect(direct.body.message).toContain(`fleetctl services rollback ${v2.artifact.id}`)

    // IT rolls back: v2 revoked, v1 (the newest published again) rolled out, approved by someone else.
    const rollback = await mi.fleetctl(
      [
        'services',
        'rollback',
        v2.artifact.id,
        '--reason',
        'the new name confuses citizens',
        '--name',
        'mi back to 2026.12.1',
        '--groups',
        '100%',
        '--immediate',
        '--success',
        '1',
        '--min-sample',
        '1',
        '--json',
      ],
      'admin',
    )
    expect(rollback.code, rollback.stderr).toBe(0)
    expect(rollback.stderr).toContain(`revoked ${v2.artifact.id} (medical-insurance 2026.12.2)`)
    const rolloutId = (JSON.parse(rollback.stdout) as { id: string; artifactId: string }).id
    expect(JSON.parse(rollback.stdout)).toMatchObject({ artifactId: v1.artifact.id, status: 'awaitingApproval' })
    expect(await mi.approveAndFinish(rolloutId)).toMatchObject({ status: 'completed' })

    expect(kiosk.agent.catalogue.catalogue.digest).toBe(digestV1)
    expect(kiosk.agent.catalogue.service('mi-designated-hospitals')?.name.zh).toBe('医保定点医院查询')
    const revoked = await stack.api<{ status: string; statusReason: string }>(`/api/artifacts/${v2.artifact.id}`)
    expect(revoked).toMatchObject({
      status: 'revoked',
      statusReason: 'rolled back to 2026.12.1: the new name confuses citizens',
    })
    // The fleet's view of the catalogue went back with the kiosks.
    const overview = await stack.api<{
      departments: { id: string; services: { id: string; name: { zh: string } }[] }[]
    }>('/api/services')
    const services = overview.departments.find((d) => d.id === 'medical-insurance')?.services ?? []
    expect(services.find((x) => x.id === 'mi-designated-hospitals')?.name.zh).toBe('医保定点医院查询')
  })
})
