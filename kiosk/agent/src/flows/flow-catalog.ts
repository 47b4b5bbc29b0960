import { licenseFlow, socialSecurityFlow, taxCertificateFlow } from './certificate-flows.ts'
import type { ServiceFlow } from './flow.ts'
import { idProgressFlow } from './id-progress-flow.ts'

/**
 * The citizen flows this agent can run, by service id. Services of the catalog without a flow
 * here (tax invoices, document scanning) are reported to the fleet but not offered on screen.
 */
export const FLOWS: readonly ServiceFlow[] = [idProgressFlow, licenseFlow, taxCertificateFlow, socialSecurityFlow]

export function flowFor(serviceId: string): ServiceFlow | undefined {
  return FLOWS.find((f) => f.serviceId === serviceId)
}
