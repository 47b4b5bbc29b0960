import type { DeviceClass } from '@drivers/core'
import type { MachineType } from '@kiosk-fleet/protocol'

/**
 * A citizen service and the peripherals it needs. Each entry of `needs` is a group of device
 * classes of which at least one working peripheral must exist (social security accepts an ID
 * card or a social-security card to identify).
 */
export interface ServiceDefinition {
  serviceId: string
  needs: DeviceClass[][]
}

const identify: DeviceClass[] = ['idCardReader']

const SERVICES: Record<Exclude<MachineType, 'comprehensive'>, ServiceDefinition[]> = {
  id: [
    { serviceId: 'id-progress', needs: [identify] },
    { serviceId: 'id-receipt', needs: [identify, ['receiptPrinter']] },
  ],
  license: [{ serviceId: 'license-print', needs: [identify, ['barcodeScanner'], ['documentPrinter']] }],
  tax: [
    { serviceId: 'tax-certificate', needs: [identify, ['documentPrinter']] },
    { serviceId: 'tax-invoice', needs: [identify, ['receiptPrinter']] },
    { serviceId: 'tax-document-scan', needs: [identify, ['documentScanner']] },
  ],
  'social-security': [
    { serviceId: 'ss-certificate', needs: [['idCardReader', 'smartCardReader'], ['documentPrinter']] },
  ],
}

/** The services a machine type offers; a comprehensive machine offers every department's. */
export function servicesFor(machineType: MachineType): ServiceDefinition[] {
  if (machineType === 'comprehensive') return Object.values(SERVICES).flat()
  return SERVICES[machineType]
}
