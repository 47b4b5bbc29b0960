import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal } from '../auth/roles.ts'
import type { Database } from '../db/database.ts'
import { migrate } from '../db/migrate.ts'
import { openPgliteDatabase } from '../db/pglite-database.ts'
import { KioskDirectories } from './kiosk-directories.ts'
import { directoryAnswers, loadDirectory, matchDirectory } from './kiosk-directory.ts'
import type { KioskFilter } from './kiosk-query.ts'
import { KioskRepo } from './kiosk-repo.ts'

// The kiosk list answered from a scope's directory must be the list the database answers: the same
// kiosks, in the same order, with the same total, for every filter the directory takes and every scope.
let db: Database
const ADMIN: Principal = { userId: 'ada', role: 'admin' } as Principal
const TAX: Principal = { userId: 'tom', role: 'department', departments: ['tax'] } as Principal
const SITE: Principal = { userId: 'sue', role: 'site', sites: ['vs-2-1'] } as Principal
const VENDOR: Principal = { userId: 'eve', role: 'vendor', vendors: ['epson'] } as Principal

beforeAll(async () => {
  db = await openPgliteDatabase(undefined)
  await migrate(db, pino({ level: 'silent' }))
  await db.exec(`
    INSERT INTO sites (id, name, kind, city, county, town)
    SELECT CASE WHEN st = 0 THEN 'tc-' || tw ELSE 'vs-' || tw || '-' || st END,
           CASE WHEN st = 0 THEN '镇' || tw || '便民服务中心' ELSE '村' || tw || '-' || st || '便民服务站' END,
           CASE WHEN st = 0 THEN 'townCentre' ELSE 'villageStation' END,
           '测试市', '测试县' || (tw % 3), 'Town' || tw
    FROM generate_series(0, 5) AS tw CROSS JOIN generate_series(0, 3) AS st;
    INSERT INTO kiosks (id, machine_type, department, site_id, app_version, state)
    SELECT 'K' || lpad(i::text, 3, '0'),
           (ARRAY['id', 'tax', 'license'])[i % 3 + 1],
           (ARRAY['public-security', 'tax', 'market-regulation'])[i % 3 + 1],
           CASE WHEN i % 17 = 0 THEN NULL
                WHEN (i / 6) % 4 = 0 THEN 'tc-' || (i % 6) ELSE 'vs-' || (i % 6) || '-' || ((i / 6) % 4) END,
           CASE WHEN i % 5 = 0 THEN '2.1.0' ELSE '2.0.0' END,
           CASE WHEN i % 7 = 0 THEN 'offline' ELSE 'online' END
    FROM generate_series(1, 120) AS i;
    INSERT INTO peripherals (kiosk_id, device_id, device_class, vendor, model, vendor_id)
    SELECT id, 'receipt', 'receiptPrinter', 'Epson', 'TM-T20II', 'epson' FROM kiosks WHERE id < 'K060';
  `)
})
afterAll(async () => db.close())

const FILTERS: KioskFilter[] = [
  {},
  { q: 'k01' },
  { q: '  镇2 ' },
  { q: '测试县1' },
  { q: 'town3' },
  { q: '%' },
  { q: 'nothing like it' },
  { siteId: 'tc-3' },
  { county: '测试县2', state: 'online' },
  { town: 'Town4', machineType: 'tax' },
  { department: 'public-security', appVersion: '2.1.0' },
  { state: 'offline' },
]

describe('the kiosk directory', () => {
  it('answers every list page as the database does, in every scope', async () => {
    const fromDatabase = new KioskRepo(db)
    const fromDirectory = new KioskRepo(db, (principal) => loadDirectory(db, principal))
    let compared = 0
    for (const principal of [ADMIN, TAX, SITE, VENDOR]) {
      for (const filter of FILTERS) {
        for (const page of [
          { limit: 50, offset: 0 },
          { limit: 7, offset: 30 },
        ]) {
          const expected = await fromDatabase.list(filter, principal, page)
          const actual = await fromDirectory.list(filter, principal, page)
          expect(actual, JSON.stringify({ principal: principal.role, filter, page })).toEqual(expected)
          compared += expected.kiosks.length
        }
      }
    }
    // The comparisons were not all of empty pages.
    expect(compared).toBeGreaterThan(300)
  })

  it('keeps a kiosk without a site last, and searches site names, towns and counties', async () => {
    const all = await loadDirectory(db, ADMIN)
    expect(all).toHaveLength(120)
    expect(all.at(-1)?.siteId).toBeNull()
    expect(matchDirectory(all, { q: '村2-1便民' }).every((e) => e.siteId === 'vs-2-1')).toBe(true)
    expect(matchDirectory(all, { q: 'TOWN5' }).length).toBeGreaterThan(0)
  })

  it('leaves device and health filters to the database', () => {
    expect(directoryAnswers({ q: 'x', state: 'online', county: undefined })).toBe(true)
    expect(directoryAnswers({ fault: true })).toBe(false)
    expect(directoryAnswers({ firmware: '1.0' })).toBe(false)
    expect(directoryAnswers({ serviceUnavailable: false })).toBe(false)
  })
})

describe('the directories kept current by looking at what changed', () => {
  /** The whole-directory reads made through `db`, apart from the looks at what changed. */
  let wholeReads = 0
  const counted = {
    query: (sql: string, params?: unknown[]) => {
      if (sql.includes('ORDER BY') && !sql.includes('listed_at')) wholeReads++
      return db.query(sql, params)
    },
  } as unknown as Database
  let clock = 0
  const directories = () =>
    new KioskDirectories({
      db: counted,
      checkEveryMs: 1000,
      serveDuringLook: true,
      reloadEveryMs: 60_000,
      now: () => clock,
    })
  const sameAsDatabase = async (d: KioskDirectories, principal: Principal) =>
    expect(await d.get(principal)).toEqual(await loadDirectory(db, principal))

  it('patches a changed state in without reading the whole directory, once the look is due', async () => {
    const d = directories()
    const offline = (await d.get(ADMIN)).filter((e) => e.state === 'offline').length
    expect(wholeReads).toBe(1)
    // As ingest writes a kiosk's presence: its state, stamped by the database's clock.
    await db.query("UPDATE kiosks SET state = 'offline', listed_at = now() WHERE id = 'K001'")
    expect((await d.get(ADMIN)).filter((e) => e.state === 'offline')).toHaveLength(offline) // not due yet
    clock += 1000
    // The caller that finds the look due starts it and is served the directory as it was.
    expect((await d.get(ADMIN)).filter((e) => e.state === 'offline')).toHaveLength(offline)
    await d.settled()
    expect((await d.get(ADMIN)).find((e) => e.id === 'K001')?.state).toBe('offline')
    await sameAsDatabase(d, ADMIN)
    expect(wholeReads).toBe(1)
  })

  it('not serving during a look, the caller that finds the look due waits for it', async () => {
    const d = new KioskDirectories({ db: counted, checkEveryMs: 1000, reloadEveryMs: 60_000, now: () => clock })
    await d.get(ADMIN)
    await db.query("UPDATE kiosks SET state = 'offline', listed_at = now() WHERE id = 'K002'")
    clock += 1000
    expect((await d.get(ADMIN)).find((e) => e.id === 'K002')?.state).toBe('offline')
  })

  it("reads a scope again when a kiosk moves (another replica's birth), a new one comes or a site is renamed", async () => {
    const d = directories()
    await d.get(TAX)
    await d.get(ADMIN)
    const before = wholeReads
    const taxKiosk = (await d.get(TAX))[0]?.id as string
    await db.query("UPDATE kiosks SET department = 'public-security', listed_at = now() WHERE id = $1", [taxKiosk])
    clock += 1000
    await d.get(TAX)
    await d.settled()
    expect((await d.get(TAX)).map((e) => e.id)).not.toContain(taxKiosk)
    await sameAsDatabase(d, TAX)
    expect(wholeReads).toBe(before + 1)

    await db.query("INSERT INTO kiosks (id, department, site_id, state) VALUES ('K500', 'tax', 'tc-1', 'online')")
    await db.query("UPDATE sites SET name = '镇1新名便民服务中心', updated_at = now() WHERE id = 'tc-2'")
    clock += 1000
    await Promise.all([d.get(TAX), d.get(ADMIN)])
    await d.settled()
    expect(matchDirectory(await d.get(TAX), { q: 'k500' }).map((e) => e.id)).toEqual(['K500'])
    expect(matchDirectory(await d.get(ADMIN), { q: '新名' }).every((e) => e.siteId === 'tc-2')).toBe(true)
    for (const principal of [ADMIN, TAX, SITE, VENDOR]) await sameAsDatabase(d, principal)
  })

  it('serves the old directory while it is read whole again, and drops every scope when told', async () => {
    const d = directories()
    await d.get(ADMIN)
    const before = wholeReads
    clock += 60_000
    await d.get(ADMIN) // starts the read in the background
    await new Promise((r) => setTimeout(r, 50))
    expect(wholeReads).toBe(before + 1)
    d.invalidate()
    await d.get(ADMIN)
    expect(wholeReads).toBe(before + 2)
  })
})
