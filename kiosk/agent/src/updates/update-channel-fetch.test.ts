import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isAppError } from '@drivers/core'
import { sampleBirth } from '@kiosk-fleet/protocol'
import { afterAll, describe, expect, it } from 'vitest'
import { loadAgentConfig } from '../config/load-agent-config.ts'
import { updateChannelFetch } from './update-channel-fetch.ts'

const dir = mkdtempSync(join(tmpdir(), 'update-channel-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const HTTPS = { fleetUrl: 'https://fleet.example', allowPlaintext: false }

function refusal(run: () => unknown): Error {
  try {
    run()
  } catch (err) {
    expect(isAppError(err, 'ERR_KIOSK_UPDATES_TLS')).toBe(true)
    return err as Error
  }
  throw new Error('expected ERR_KIOSK_UPDATES_TLS')
}

describe('the update channel fetch', () => {
  it('uses the system trust (node fetch) when updates.tls.ca is unset', () => {
    expect(updateChannelFetch({ ...HTTPS, tls: {} })).toBe(fetch)
  })

  it('fails loudly on a CA file that cannot be read, naming the setting and the path', () => {
    const missing = join(dir, 'missing-ca.pem')
    const err = refusal(() => updateChannelFetch({ ...HTTPS, tls: { ca: missing } }))
    expect(err.message).toContain(`updates.tls.ca (${missing})`)
    expect(err.message).toContain('ENOENT')
  })

  it('refuses a CA file that holds no PEM certificate', () => {
    const der = join(dir, 'ca.der')
    writeFileSync(der, Buffer.from([0x30, 0x82, 0x01, 0x0a]))
    expect(refusal(() => updateChannelFetch({ ...HTTPS, tls: { ca: der } })).message).toMatch(/no PEM certificate/)
  })

  it('builds a fetch of its own for a readable CA', () => {
    const pem = join(dir, 'ca.pem')
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
    const doFetch = updateChannelFetch({ ...HTTPS, tls: { ca: pem } })
    expect(typeof doFetch).toBe('function')
    expect(doFetch).not.toBe(fetch)
  })

  it('refuses clear-text http:// off loopback unless updates.allowPlaintext', () => {
    const plain = { fleetUrl: 'http://192.0.2.10:8080', tls: {} }
    expect(refusal(() => updateChannelFetch({ ...plain, allowPlaintext: false })).message).toMatch(
      /updates\.allowPlaintext/,
    )
    expect(updateChannelFetch({ ...plain, allowPlaintext: true })).toBe(fetch)
    expect(updateChannelFetch({ fleetUrl: 'http://127.0.0.1:8080', tls: {}, allowPlaintext: false })).toBe(fetch)
  })

  it('takes updates.tls.ca from KIOSK_UPDATES__TLS__CA', () => {
    const config = loadAgentConfig({
      file: {
        kioskId: 'k1',
        machineType: 'id',
        department: 'public-security',
        site: sampleBirth().site,
        dataDir: dir,
      },
      env: { KIOSK_UPDATES__TLS__CA: '/etc/kiosk-fleet/k1.fleet-ca.pem' },
    })
    expect(config.updates.tls.ca).toBe('/etc/kiosk-fleet/k1.fleet-ca.pem')
    expect(config.updates.allowPlaintext).toBe(false)
  })
})
