import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../db/database.ts'
import { migrate } from '../db/migrate.ts'
import { openPgliteDatabase } from '../db/pglite-database.ts'
import { isAllowed } from './acl-policy.ts'
import { KioskCredentials } from './kiosk-credentials.ts'
import { natsKioskPermissions, natsKioskUsers, natsSubject, writeNatsAuthFile } from './nats-config.ts'
import { natsBcryptHash, verifyNatsBcryptHash } from './nats-hash.ts'

/** The MQTT topic a NATS subject without wildcards stands for. */
const mqttTopic = (subject: string) => subject.split('.').join('/')

describe('NATS permissions from the broker access policy', () => {
  it('maps MQTT filters to subjects', () => {
    expect(natsSubject('kiosk/v1/+/req/+')).toBe('kiosk.v1.*.req.*')
    expect(natsSubject('kiosk/v1/k1/#')).toBe('kiosk.v1.k1.>')
  })

  it('lets a kiosk publish exactly what acl-policy.ts lets it publish, and subscribe to its requests', () => {
    const p = natsKioskPermissions('k1')
    expect(p.subscribe.allow).toEqual(['kiosk.v1.k1.req.*', '$MQTT.sub.*'])
    expect(p.publish.allow).toContain('kiosk.v1.k1.health')
    expect(p.publish.allow.every((s) => s.startsWith('kiosk.v1.k1.'))).toBe(true)
    for (const subject of p.publish.allow) {
      const topic = mqttTopic(subject.replace('*', 'x'))
      expect(isAllowed({ kind: 'kiosk', kioskId: 'k1' }, 'publish', topic), topic).toBe(true)
      expect(isAllowed({ kind: 'kiosk', kioskId: 'k2' }, 'publish', topic), topic).toBe(false)
    }
    expect(p.publish.allow.some((s) => s.includes('.req.'))).toBe(false)
  })

  it('refuses a kiosk id that is not one NATS subject token', () => {
    expect(() => natsKioskPermissions('k.1')).toThrow(TypeError)
    expect(() => natsKioskPermissions('k*')).toThrow(TypeError)
  })

  it('leaves out kiosks without a bcrypt hash, with an id NATS cannot hold, or named like the fleet', () => {
    const { users, skipped } = natsKioskUsers(
      [
        { kioskId: 'k1', passwordHash: '$7$1$a$b', bcryptHash: '$2b$06$x' },
        { kioskId: 'k2', passwordHash: '$7$1$a$b' },
        { kioskId: 'k.3', passwordHash: '$7$1$a$b', bcryptHash: '$2b$06$x' },
        { kioskId: 'fleet-server', passwordHash: '$7$1$a$b', bcryptHash: '$2b$06$x' },
      ],
      ['fleet-server'],
    )
    expect(users.map((u) => u.username)).toEqual(['k1'])
    expect(skipped).toEqual([
      { kioskId: 'k2', reason: 'noBcryptHash' },
      { kioskId: 'k.3', reason: 'idNotNatsSafe' },
      { kioskId: 'fleet-server', reason: 'fleetUserName' },
    ])
  })
})

describe('nats-auth.conf', () => {
  let db: Database
  beforeAll(async () => {
    db = await openPgliteDatabase(undefined)
    await migrate(db, pino({ level: 'silent' }))
  })
  afterAll(async () => db.close())

  it('stores a bcrypt hash of the same password when a credential is issued', async () => {
    const credentials = new KioskCredentials(db)
    const password = await credentials.issue('k1')
    const [stored] = await credentials.list()
    expect(stored?.bcryptHash).toMatch(/^\$2b\$06\$/)
    expect(await verifyNatsBcryptHash(stored?.bcryptHash ?? '', password)).toBe(true)
    expect(await verifyNatsBcryptHash(stored?.bcryptHash ?? '', `${password}x`)).toBe(false)
    expect(await credentials.verify('k1', password)).toBe(true)
  })

  it('refuses a password bcrypt would truncate', async () => {
    await expect(natsBcryptHash('x'.repeat(73))).rejects.toThrow(TypeError)
  })

  it('writes the fleet replicas and every kiosk as hashes only, owner-only', async () => {
    const credentials = new KioskCredentials(db)
    const k2 = await credentials.issue('k2')
    const dir = mkdtempSync(join(tmpdir(), 'nats-config-'))
    const written = await writeNatsAuthFile({
      dir,
      fleet: { username: 'fleet-server', password: 'fleet-pw' },
      kiosks: await credentials.list(),
      replicas: 2,
    })
    expect(written).toMatchObject({ kiosks: 2, skipped: [] })
    expect(statSync(written.file).mode & 0o777).toBe(0o600)
    const text = readFileSync(written.file, 'utf8')
    expect(text).not.toContain('fleet-pw')
    expect(text).not.toContain(k2)
    const users = [...text.matchAll(/user: "([^"]+)", password: "([^"]+)"/g)].map((m) => [m[1], m[2]])
    expect(users.map(([u]) => u)).toEqual(['fleet-server', 'fleet-server-2', 'k1', 'k2'])
    expect(await verifyNatsBcryptHash(users[0]?.[1] ?? '', 'fleet-pw')).toBe(true)
    expect(await verifyNatsBcryptHash(users[3]?.[1] ?? '', k2)).toBe(true)
    const k2Line = text.split('\n').find((l) => l.includes('user: "k2"')) ?? ''
    expect(k2Line).toContain('allowed_connection_types: ["MQTT"]')
    expect(k2Line).toContain('subscribe: { allow: ["kiosk.v1.k2.req.*", "$MQTT.sub.*"] }')
    const fleetLine = text.split('\n').find((l) => l.includes('user: "fleet-server"')) ?? ''
    expect(fleetLine).not.toContain('permissions')
  })
})
