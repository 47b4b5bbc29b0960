import type { GatewayRequest, GatewayResponse } from '@kiosk-fleet/protocol'

/**
 * The one port the flow engine reaches department systems through: call an operation of a
 * department with the identified citizen and the mapped inputs. Implementations answer every
 * expected outcome as a GatewayResponse (a department that is down is `unavailable`), never throw.
 */
export interface DepartmentGateway {
  call(department: string, operation: string, request: GatewayRequest): Promise<GatewayResponse>
}

export const unavailable = (message: string): GatewayResponse => ({
  ok: false,
  error: { code: 'unavailable', message },
})
