import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatCredentials, writeCredentialsFile } from './credentials-file.ts'

const credentials = { kioskId: 'k1', mqtt: { url: 'mqtt://broker:1883', username: 'k1', password: 's3cret' } }

describe('kiosk credentials file', () => {
  it('formats JSON or the agent environment', () => {
    expect(JSON.parse(formatCredentials(credentials, 'json'))).toEqual(credentials)
    expect(formatCredentials(credentials, 'env')).toBe(
      'KIOSK_MQTT__URL=mqtt://broker:1883\nKIOSK_MQTT__USERNAME=k1\nKIOSK_MQTT__PASSWORD=s3cret\n',
    )
  })

  it('replaces an existing file with one only its owner can read', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'enrol-')), 'credentials.json')
    writeFileSync(path, 'old', { mode: 0o644 })
    writeCredentialsFile(path, 'new')
    expect(readFileSync(path, 'utf8')).toBe('new')
    expect(statSync(path).mode & 0o777).toBe(0o600)
  })
})
