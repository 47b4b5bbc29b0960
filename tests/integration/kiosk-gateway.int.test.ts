import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  CircuitBreakerGateway,
  DEFAULT_DEMO_GATEWAY_DIR,
  DEMO_PIN,
  DemoGateway,
  type GatewayServer,
  HttpGateway,
  startGatewayServer,
} from '@kiosk/agent'
import type { GatewayRequest } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const citizen = { idNumber: '11010119900307002X', name: '张三', method: 'idCard' as const }
const logger = pino({ level: 'silent' })
const request = (params: Record<string, unknown> = {}): GatewayRequest => ({
  serviceId: 'test',
  kioskId: 'int-gw-01',
  citizen,
  params,
})

describe('the department gateway contract over real HTTP', () => {
  let server: GatewayServer
  const demo = new DemoGateway({ dataDir: DEFAULT_DEMO_GATEWAY_DIR })

  beforeAll(async () => {
    server = await startGatewayServer(new DemoGateway({ dataDir: DEFAULT_DEMO_GATEWAY_DIR }), {
      token: 'gateway-secret',
    })
  })
  afterAll(async () => {
    await server?.close()
  })

  const http = (timeoutMs = 2000, token = 'gateway-secret') =>
    new HttpGateway({ endpoints: { '*': { url: `${server.url}/tax`, token, timeoutMs } }, kioskId: 'k', logger })
  const perDepartment = (timeoutMs = 2000) =>
    new HttpGateway({
      endpoints: Object.fromEntries(
        ['public-security', 'market-regulation', 'hrss', 'housing-fund'].map((d) => [
          d,
          { url: `${server.url}/${d}`, token: 'gateway-secret', timeoutMs },
        ]),
      ),
      kioskId: 'k',
      logger,
    })

  it('answers what the demo gateway answers, for code and data operations', async () => {
    const gw = perDepartment()
    expect(await gw.call('public-security', 'application-progress', request())).toEqual(
      await demo.call('public-security', 'application-progress', request()),
    )
    const licence = await gw.call('market-regulation', 'business-licence', request({ noticeCode: 'LZ20260115-0789' }))
    expect(licence.ok && licence.records[0]?.companyName).toBe('花溪县柳湾生态农业专业合作社')
    expect(await gw.call('hrss', 'social-insurance', request({ pin: '000000' }))).toMatchObject({
      ok: false,
      error: { code: 'pinWrong' },
    })
    expect((await gw.call('hrss', 'social-insurance', request({ pin: DEMO_PIN }))).ok).toBe(true)
    const withdrawals = await gw.call('housing-fund', 'hf-withdrawals', request())
    expect(withdrawals.ok && withdrawals.records.length).toBeGreaterThan(0)
  })

  it('a wrong token, a department without a gateway, a dead one and a slow one are `unavailable`, never exceptions', async () => {
    const unconfigured = perDepartment()
    expect(await http(2000, 'nope').call('tax', 'tax-certificates', request())).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    })
    expect(await unconfigured.call('tax', 'tax-certificates', request())).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    })
    const dead = new HttpGateway({
      endpoints: { '*': { url: 'http://127.0.0.1:9', timeoutMs: 2000 } },
      kioskId: 'k',
      logger,
    })
    expect(await dead.call('tax', 'tax-certificates', request())).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    })

    const slow = createServer(() => undefined)
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r))
    const port = (slow.address() as AddressInfo).port
    const late = new HttpGateway({
      endpoints: { '*': { url: `http://127.0.0.1:${port}`, timeoutMs: 300 } },
      kioskId: 'k',
      logger,
    })
    const answer = await late.call('tax', 'tax-certificates', request())
    expect(answer).toMatchObject({ ok: false, error: { code: 'unavailable' } })
    expect(!answer.ok && answer.error.message).toMatch(/300 ms/)
    slow.closeAllConnections()
    await new Promise((r) => slow.close(r))
  })

  it("an outage opens only that department's circuit; the trial call after openMs closes it again", async () => {
    let now = 0
    const gw = new CircuitBreakerGateway(perDepartment(), { failureThreshold: 2, openMs: 5000, now: () => now })
    const changes: string[] = []
    gw.onChanged((d, s) => changes.push(`${d}:${s}`))
    server.setOutage('housing-fund', true)
    for (let i = 0; i < 2; i++) await gw.call('housing-fund', 'hf-withdrawals', request())
    expect(gw.state('housing-fund')).toBe('open')
    expect(gw.state('hrss')).toBe('closed')
    const calls = server.calls('housing-fund')
    // Open: the next citizen does not wait for the same failure; nothing reaches the department.
    expect(await gw.call('housing-fund', 'hf-withdrawals', request())).toMatchObject({ ok: false })
    expect(server.calls('housing-fund')).toBe(calls)
    expect((await gw.call('public-security', 'application-progress', request())).ok).toBe(true)
    server.setOutage('housing-fund', false)
    now = 5000
    expect(gw.state('housing-fund')).toBe('halfOpen')
    expect((await gw.call('housing-fund', 'hf-withdrawals', request())).ok).toBe(true)
    expect(gw.state('housing-fund')).toBe('closed')
    expect(changes).toEqual(['housing-fund:open', 'housing-fund:closed'])
    gw.dispose()
  })
})
