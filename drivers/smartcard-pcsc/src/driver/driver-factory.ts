import type { DriverFactory } from '@drivers/core'
import { SocialSecurityCardService } from './ssc-reader.ts'

/** Social-security cards on a PC/SC reader; the address is pcscd's reader name (prefix), unset = the first reader. */
export const driverFactory: DriverFactory = ({ address, logger }) => {
  const service = new SocialSecurityCardService({
    logger,
    ...(address ? { readerName: address, description: address } : {}),
  })
  return { device: service, open: () => service.open(), close: () => service.close() }
}
