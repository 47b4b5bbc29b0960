import type { ServiceDefinition } from '@kiosk-fleet/protocol'
import { pinyin } from 'pinyin-pro'

/**
 * What a citizen may type to find a service: the Chinese and English names, the department's
 * keywords, and the pinyin of the Chinese name, whole (`wanshuizhengming`) and as initials
 * (`wszm`), all lowercase. Computed once per catalogue load, in the agent (the UI gets strings).
 */
export function searchKeys(service: ServiceDefinition, departmentName: string): string[] {
  const zh = service.name.zh
  const initials = pinyin(zh, { pattern: 'first', toneType: 'none', type: 'array', nonZh: 'removed' }).join('')
  const full = pinyin(zh, { toneType: 'none', type: 'array', nonZh: 'removed' }).join('')
  const keys = [zh, service.name.en, departmentName, ...service.keywords, initials, full]
  return [...new Set(keys.map((k) => k.toLowerCase().replace(/\s+/g, '')).filter((k) => k.length > 0))]
}
