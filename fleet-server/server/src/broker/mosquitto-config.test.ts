import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  fleetReplicaUsers,
  mosquittoAclFile,
  mosquittoConf,
  mosquittoPasswordFile,
  writeMosquittoAuthFiles,
} from './mosquitto-config.ts'
import { verifyMosquittoHash } from './mosquitto-hash.ts'

describe('generated Mosquitto files', () => {
  it('gives each kiosk its own topics by pattern and the fleet-server its subscriptions and requests', () => {
    const acl = mosquittoAclFile('fleet-server').split('\n')
    expect(acl).toContain('pattern write kiosk/v1/%u/health')
    expect(acl).toContain('pattern write kiosk/v1/%u/devices/+')
    expect(acl).toContain('pattern read kiosk/v1/%u/req/+')
    expect(acl.filter((l) => l.startsWith('pattern read'))).toHaveLength(1)
    expect(acl).not.toContain('pattern write kiosk/v1/%u/req/+')
    const fleet = acl.slice(acl.indexOf('user fleet-server'))
    expect(fleet).toContain('topic read kiosk/v1/+/health')
    expect(fleet).toContain('topic read $share/+/kiosk/v1/+/health')
    expect(fleet).toContain('topic write kiosk/v1/+/req/+')
    expect(fleet.some((l) => l.startsWith('pattern'))).toBe(false)
  })

  it('refuses a user name a password file cannot hold', () => {
    expect(() => mosquittoPasswordFile([{ username: 'a:b', passwordHash: '$7$1$a$b' }])).toThrow(TypeError)
    expect(mosquittoPasswordFile([{ username: 'k1', passwordHash: '$7$1$a$b' }])).toBe('k1:$7$1$a$b\n')
  })

  it('writes the fleet-server and every kiosk, the password file owner-only by default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mosquitto-config-'))
    const files = await writeMosquittoAuthFiles({
      dir,
      fleet: { username: 'fleet-server', password: 'fleet-pw' },
      kiosks: [
        { kioskId: 'k1', passwordHash: '$7$101$AAAA$BBBB' },
        { kioskId: 'fleet-server', passwordHash: '$7$101$CCCC$DDDD' },
      ],
    })
    const lines = readFileSync(files.passwordFile, 'utf8').trim().split('\n')
    expect(lines.map((l) => l.split(':')[0])).toEqual(['fleet-server', 'k1'])
    expect(await verifyMosquittoHash(lines[0]?.slice('fleet-server:'.length) ?? '', 'fleet-pw')).toBe(true)
    expect(statSync(files.passwordFile).mode & 0o777).toBe(0o600)
    expect(readFileSync(files.aclFile, 'utf8')).toBe(mosquittoAclFile('fleet-server'))
  })
})

describe('generated mosquitto.conf', () => {
  const conf = mosquittoConf({
    listener: '1883',
    passwordFile: '/etc/mosquitto/fleet/passwd',
    aclFile: '/etc/mosquitto/fleet/acl',
    persistenceDir: '/var/lib/mosquitto',
    kiosks: 2000,
    outboxPerKiosk: 500,
  }).split('\n')

  it('queues a full outbox drain of every kiosk for the fleet, persistently', () => {
    expect(conf).toContain('max_queued_messages 1000000')
    expect(conf).toContain('max_queued_bytes 0')
    expect(conf).toContain('persistence true')
    expect(conf).toContain('persistence_location /var/lib/mosquitto/')
    expect(conf.some((l) => l.startsWith('persistent_client_expiration '))).toBe(true)
  })

  it('binds client ids to user names and refuses anonymous clients', () => {
    expect(conf).toContain('use_username_as_clientid true')
    expect(conf).toContain('allow_anonymous false')
  })

  it('gives each fleet replica its own user with the fleet rights', () => {
    expect(fleetReplicaUsers('fleet-server', 3)).toEqual(['fleet-server', 'fleet-server-2', 'fleet-server-3'])
    const acl = mosquittoAclFile(fleetReplicaUsers('fleet-server', 2)).split('\n')
    expect(acl).toContain('user fleet-server-2')
    expect(acl.filter((l) => l === 'topic write kiosk/v1/+/req/+')).toHaveLength(2)
  })
})
