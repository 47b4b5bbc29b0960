import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatCredentials, writeBrokerCa, writeCredentialsFile, writeFleetCa } from './credentials-file.ts'

const credentials = { kioskId: 'k1', mqtt: { url: 'mqtt://broker:1883', username: 'k1', password: 's3cret' } }

describe('kiosk credentials file', () => {
  it('formats JSON or the agent environment', () => {
    expect(JSON.parse(formatCredentials(credentials, 'json'))).toEqual(credentials)
    expect(formatCredentials(credentials, 'env')).toBe(
      'KIOSK_MQTT__URL=mqtt://broker:1883\nKIOSK_MQTT__USERNAME=k1\nKIOSK_MQTT__PASSWORD=s3cret\n',
    )
  })

  it('names the broker CA the fleet handed back, written beside the credentials', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrol-'))
    const caFile = writeBrokerCa(join(dir, 'k1.json'), '-----BEGIN CERTIFICATE-----\n')
    expect(caFile).toBe(join(dir, 'k1.mqtt-ca.pem'))
    expect(readFileSync(caFile, 'utf8')).toBe('-----BEGIN CERTIFICATE-----\n')
    expect(JSON.parse(formatCredentials(credentials, 'json', { mqtt: caFile })).mqtt.tls).toEqual({ ca: caFile })
    expect(formatCredentials(credentials, 'env', { mqtt: caFile })).toContain(`KIOSK_MQTT__TLS__CA=${caFile}\n`)
  })

  it("names the fleet's HTTPS CA (enrolment's --ca) as the update channel's trust", () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrol-'))
    const fleetCa = writeFleetCa(join(dir, 'k1.env'), Buffer.from('-----BEGIN CERTIFICATE-----\n'))
    expect(fleetCa).toBe(join(dir, 'k1.fleet-ca.pem'))
    const json = JSON.parse(formatCredentials(credentials, 'json', { updates: fleetCa }))
    expect(json.updates).toEqual({ tls: { ca: fleetCa } })
    expect(json.mqtt.tls).toBeUndefined()
    expect(formatCredentials(credentials, 'env', { updates: fleetCa })).toContain(`KIOSK_UPDATES__TLS__CA=${fleetCa}\n`)
  })

  it('replaces an existing file with one only its owner can read', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'enrol-')), 'credentials.json')
    writeFileSync(path, 'old', { mode: 0o644 })
    writeCredentialsFile(path, 'new')
    expect(readFileSync(path, 'utf8')).toBe('new')
    expect(statSync(path).mode & 0o777).toBe(0o600)
  })
})
