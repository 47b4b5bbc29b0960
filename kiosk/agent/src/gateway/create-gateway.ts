import { AppError } from '@drivers/core'
import type { Logger } from 'pino'
import { DEFAULT_DEMO_GATEWAY_DIR } from '../catalogue/catalogue-files.ts'
import type { AgentConfig } from '../config/schema.ts'
import { KioskErrorCodes } from '../errors.ts'
import { DemoGateway } from './demo-gateway.ts'
import type { DepartmentGateway } from './department-gateway.ts'
import { type GatewayEndpoint, HttpGateway } from './http-gateway.ts'

/**
 * The department systems the config names: the demo gateway (synthetic data, in process), or the
 * departments' HTTP gateways (`backend.url` for every department, `backend.departments.<id>` for
 * one). The circuit breaker goes around either (agent.ts).
 */
export function createGateway(config: AgentConfig, logger: Logger): DepartmentGateway {
  const backend = config.backend
  if (backend.kind === 'demo') return new DemoGateway({ dataDir: backend.demoDataDir ?? DEFAULT_DEMO_GATEWAY_DIR })
  const endpoints: Record<string, GatewayEndpoint> = {}
  const endpoint = (url: string, token?: string, timeoutMs?: number): GatewayEndpoint => ({
    url,
    timeoutMs: timeoutMs ?? backend.timeoutMs,
    ...(token ? { token } : {}),
  })
  if (backend.url) endpoints['*'] = endpoint(backend.url, backend.token)
  for (const [department, d] of Object.entries(backend.departments)) {
    endpoints[department] = endpoint(d.url, d.token ?? backend.token, d.timeoutMs)
  }
  if (Object.keys(endpoints).length === 0) {
    throw new AppError(KioskErrorCodes.backendConfig, 'backend.kind http needs backend.url or backend.departments')
  }
  return new HttpGateway({ endpoints, kioskId: config.kioskId, logger })
}
