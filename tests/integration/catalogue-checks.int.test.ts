/**
 * Where a department's catalogue bundle is checked (docs/updates.md "Service catalogues"): the fleet
 * refuses at upload what it can see, the bundle laid over its catalogue folder and the other
 * departments' published bundles; a kiosk whose image's catalogue differs from the fleet's refuses
 * what only it can see, keeps the catalogue it runs and says why in the rollout. A real fleet-server
 * with its TUF repository, the departments' real fleetctl and real kiosk agents.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_CATALOGUE_DIR } from '@kiosk/agent'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CatalogueDepartment,
  departmentFolder,
  departmentWithMatter,
  overlaidDigest,
  screenMatter,
  startCatalogueStack,
} from '../support/catalogue-publishing.ts'
import type { TestStack } from '../support/stack.ts'
import { type Supervised, startUpdatableKiosk } from '../support/updatable-kiosk.ts'
import { createTestUpdateKeys, type TestUpdateKeys } from '../support/update-keys.ts'

describe('catalogue bundles checked at the fleet and at the kiosk', () => {
  let stack: TestStack
  let keys: TestUpdateKeys & { cleanup(): Promise<void> }
  const kiosks: Supervised[] = []
  const work = mkdtempSync(join(tmpdir(), 'catalogue-checks-'))
  /** The catalogue of a kiosk image built later than the fleet's: its service centre added a matter of its own. */
  const newerImage = join(work, 'newer-image')

  const online = async (id: string) => (await stack.api<{ state?: string }>(`/api/kiosks/${id}`)).state === 'online'
  const kiosk = async (kioskId: string, catalogueDir: string) => {
    const k = await startUpdatableKiosk(kioskId, {
      mqttUrl: stack.mqttUrl,
      fleetUrl: stack.fleet().httpUrl,
      rootJson: keys.rootJson,
      config: { catalogue: { dir: catalogueDir, offer: ['*'] } },
      online,
    })
    kiosks.push(k)
    return k
  }

  beforeAll(async () => {
    keys = await createTestUpdateKeys()
    // The fleet's catalogue folder: the demo catalogue, as kiosk images of its build carry it.
    stack = await startCatalogueStack(work, keys, { catalogueDir: DEFAULT_CATALOGUE_DIR })
    cpSync(DEFAULT_CATALOGUE_DIR, newerImage, { recursive: true })
    writeFileSync(
      join(newerImage, 'service-centre/services/invoice-check.json'),
      JSON.stringify(screenMatter('invoice-check', 'service-centre', '发票查验')),
    )
  })
  afterAll(async () => {
    for (const k of kiosks.splice(0)) await k.stop()
    await stack?.stop()
    await keys?.cleanup()
  })

  it("refuses at upload a bundle that clashes with another department's published bundle, every error listed; a valid one is signed", async () => {
    const hf = new CatalogueDepartment(stack, 'housing-fund', work)
    await hf.register('住房公积金管理中心')
    const published = await hf.publish(
      departmentFolder(join(work, 'hf'), 'housing-fund', {
        'services/hf-loan-calculator.json': screenMatter('hf-loan-calculator', 'housing-fund', '公积金贷款试算'),
      }),
      '2026.12.1',
    )
    expect(published.artifact.status).toBe('ready')

    // Civil affairs: valid on its own, but it takes the id housing-fund published, and a template id
    // the fleet's folder gives medical-insurance.
    const ca = new CatalogueDepartment(stack, 'civil-affairs', work)
    await ca.register('民政局')
    const clash = await ca.publish(
      departmentFolder(join(work, 'ca-clash'), 'civil-affairs', {
        'services/hf-loan-calculator.json': screenMatter('hf-loan-calculator', 'civil-affairs', '婚育贷款试算'),
        'templates/mi-certificate.json': {
          id: 'mi-certificate',
          kind: 'receipt',
          department: 'civil-affairs',
          version: 1,
          header: [{ type: 'text', text: '民政证明', align: 'center', bold: true }],
          footer: [{ type: 'feed', lines: 2 }],
        },
      }),
      '2026.12.1',
    )
    expect(clash.push.code).toBe(1)
    expect(clash.artifact.status).toBe('rejected')
    const errors = (clash.artifact.statusReason ?? '').split('; ')
    expect(errors.sort()).toEqual([
      `with the fleet's catalogue: civil-affairs/services/hf-loan-calculator.json /id: service id "hf-loan-calculator" is also defined in housing-fund/services/hf-loan-calculator.json`,
      `with the fleet's catalogue: civil-affairs/templates/mi-certificate.json /id: template id "mi-certificate" is used twice`,
    ])
    // The department's own fleetctl says it, each error named.
    expect(clash.push.stderr).toContain('housing-fund/services/hf-loan-calculator.json')
    expect(clash.push.stderr).toContain('civil-affairs/templates/mi-certificate.json')

    // Without the clashes the same department's bundle is signed and published.
    const valid = await ca.publish(
      departmentFolder(join(work, 'ca-valid'), 'civil-affairs', {
        'services/ca-marriage-loan.json': screenMatter('ca-marriage-loan', 'civil-affairs', '婚育贷款试算'),
      }),
      '2026.12.2',
    )
    expect(valid.push.code, valid.push.stderr).toBe(0)
    expect(valid.artifact.status).toBe('ready')
  })

  it("a kiosk whose image's catalogue differs refuses a bundle the fleet accepted, keeps its catalogue and serving, and the rollout says why", async () => {
    const same = await kiosk('cat-checks-same', DEFAULT_CATALOGUE_DIR)
    const newer = await kiosk('cat-checks-newer', newerImage)
    const before = newer.agent.catalogue.catalogue.digest
    expect(newer.agent.catalogue.service('invoice-check')).toBeDefined()

    // The tax department publishes a matter of the same id: the fleet's catalogue has no such service.
    const { department: tax, bundle } = await departmentWithMatter(stack, work, 'tax', '税务局', {
      id: 'invoice-check',
      name: '发票查验',
    })
    // Judged once both finished: the refusing kiosk alone (1 of 1 failed) would halt it before the other succeeds.
    const rollout = await tax.rollOut(bundle.artifact.id, 'tax invoice check', { success: 0.5, error: 1, minSample: 2 })

    const byKiosk = Object.fromEntries(rollout.kiosks.map((k) => [k.kioskId, k]))
    expect(byKiosk['cat-checks-same']).toMatchObject({ state: 'succeeded', errorCode: null })
    expect(byKiosk['cat-checks-newer']).toMatchObject({
      state: 'rolledBack',
      errorCode: 'ERR_KIOSK_CATALOGUE_INVALID',
    })
    expect(same.agent.catalogue.catalogue.digest).toBe(overlaidDigest(DEFAULT_CATALOGUE_DIR, [bundle.bytes]))
    expect(same.agent.catalogue.service('invoice-check')?.department).toBe('tax')

    // The refusing kiosk runs what it ran, wrote nothing of the bundle, and still serves.
    expect(newer.agent.catalogue.catalogue.digest).toBe(before)
    expect(newer.agent.catalogue.service('invoice-check')?.department).toBe('service-centre')
    const taxFolder = join(newer.dataDir, 'catalogue', 'tax')
    expect(existsSync(taxFolder) ? readdirSync(taxFolder) : []).toEqual([])
    expect(await online('cat-checks-newer')).toBe(true)
    expect(newer.agent.catalogue.offered().length).toBeGreaterThan(40)
  })

  it('a bundle rolls out in stages: the canary kiosk first, the others only once it runs the new catalogue', async () => {
    const [first, second] = kiosks
    if (first === undefined || second === undefined) throw new Error('the kiosks of the test before')
    const { department: re, bundle } = await departmentWithMatter(stack, work, 'real-estate', '不动产登记中心', {
      id: 're-mortgage-status',
      name: '抵押登记进度',
    })
    const rollout = await re.rollOut(bundle.artifact.id, 'mortgage status', {
      groups: [{ count: 1 }, { percent: 100 }],
    })

    expect(rollout.status).toBe('completed')
    const [canary, rest] = [0, 1].map((g) => rollout.kiosks.filter((k) => k.group === g))
    expect(canary).toHaveLength(1)
    expect(rest).toHaveLength(1)
    for (const k of rollout.kiosks) expect(k).toMatchObject({ state: 'succeeded', errorCode: null })
    // The second group was told only after the canary had reported success.
    expect(Date.parse(rest?.[0]?.notifiedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(canary?.[0]?.finishedAt ?? ''))
    for (const k of [first, second])
      expect(k.agent.catalogue.service('re-mortgage-status')?.department).toBe('real-estate')
  })
})
