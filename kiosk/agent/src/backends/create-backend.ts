import { AppError } from '@drivers/core'
import type { Logger } from 'pino'
import type { AgentConfig } from '../config/schema.ts'
import { KioskErrorCodes } from '../errors.ts'
import { DemoBackend } from './demo-backend.ts'
import type { DepartmentBackend } from './department-backend.ts'
import { HttpBackend } from './http-backend.ts'

/** The department backend the config names: the demo one, or a department's HTTP gateway. */
export function createBackend(config: AgentConfig['backend'], logger: Logger): DepartmentBackend {
  if (config.kind === 'demo') return new DemoBackend()
  if (!config.url) throw new AppError(KioskErrorCodes.backendConfig, 'backend.kind http needs backend.url')
  return new HttpBackend({
    url: config.url,
    timeoutMs: config.timeoutMs,
    logger,
    ...(config.token ? { token: config.token } : {}),
  })
}
