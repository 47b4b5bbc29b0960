import type { MachineType } from '@kiosk-fleet/protocol'
import type { OfferList } from './catalogue-store.ts'

/**
 * What a kiosk offers when its config names no `catalogue.offer`: the machine type is a label that
 * picks a sensible default, nothing more (a comprehensive machine offers the whole catalogue).
 */
export const DEFAULT_OFFER: Record<MachineType, OfferList> = {
  id: ['id-progress'],
  license: ['license-print'],
  tax: ['tax-certificate', 'tax-invoice', 'tax-document-scan'],
  'social-security': ['ss-certificate'],
  comprehensive: ['*'],
}
