import type { DeviceDefinition } from './definition.ts'
import { definitions as epson } from './vendors/epson.ts'
import { definitions as genericSam } from './vendors/generic-sam.ts'
import { definitions as grow } from './vendors/grow.ts'
import { definitions as honeywell } from './vendors/honeywell.ts'
import { definitions as shensi } from './vendors/shensi.ts'
import { definitions as xprinter } from './vendors/xprinter.ts'
import { definitions as yishu } from './vendors/yishu.ts'
import { definitions as zebra } from './vendors/zebra.ts'

/**
 * Every vendor file, in one list. To add a vendor: create `vendors/<vendor>.ts` exporting
 * `definitions`, import it here; the registry test validates it and checks its USB ids are unique.
 */
export const allDefinitions: readonly DeviceDefinition[] = [
  ...shensi,
  ...yishu,
  ...genericSam,
  ...epson,
  ...xprinter,
  ...honeywell,
  ...zebra,
  ...grow,
]
