import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type BackendGateway, DEMO_PIN, DemoBackend, HttpBackend, startBackendGateway } from '@kiosk/agent'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const citizen = { idNumber: '11010119900307002X', name: '张三' }
const logger = pino({ level: 'silent' })

describe('HTTP department backend against the reference gateway, over real HTTP', () => {
  let gateway: BackendGateway

  beforeAll(async () => {
    gateway = await startBackendGateway(new DemoBackend(), { token: 'gateway-secret' })
  })
  afterAll(async () => {
    await gateway?.close()
  })

  it('answers what the demo backend answers, through the gateway', async () => {
    const backend = new HttpBackend({ url: gateway.url, token: 'gateway-secret', timeoutMs: 2000, logger })
    expect(await backend.applicationProgress(citizen)).toEqual(await new DemoBackend().applicationProgress(citizen))
    const licence = await backend.businessLicence(citizen, 'LZ20260115-0789')
    expect(licence.ok && licence.value.companyName).toBe('花溪县柳湾生态农业专业合作社')
    expect(await backend.socialInsurance(citizen, '000000')).toMatchObject({ ok: false, code: 'pinWrong' })
    expect((await backend.socialInsurance(citizen, DEMO_PIN)).ok).toBe(true)
  })

  it('a wrong token, a dead gateway and a slow one are results, not exceptions', async () => {
    const wrong = new HttpBackend({ url: gateway.url, token: 'nope', timeoutMs: 2000, logger })
    expect(await wrong.taxCertificates(citizen)).toMatchObject({ ok: false, code: 'unavailable' })
    const dead = new HttpBackend({ url: 'http://127.0.0.1:9/kiosk/v1', timeoutMs: 2000, logger })
    expect(await dead.taxCertificates(citizen)).toMatchObject({ ok: false, code: 'unavailable' })

    const slow = createServer(() => undefined)
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r))
    const port = (slow.address() as AddressInfo).port
    const late = new HttpBackend({ url: `http://127.0.0.1:${port}/kiosk/v1`, timeoutMs: 300, logger })
    expect(await late.taxCertificates(citizen)).toMatchObject({ ok: false, code: 'timeout' })
    slow.closeAllConnections()
    await new Promise((r) => slow.close(r))
  })
})
