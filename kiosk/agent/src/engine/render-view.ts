import { fillTemplate, type ResultView, type ViewItem, valueAt } from '@kiosk-fleet/protocol'

/** Fills a result view's record layout for every record. */
export function viewItems(view: ResultView, records: readonly Record<string, unknown>[], input: unknown): ViewItem[] {
  const layout = view.record
  return records.map((record) => {
    const data = { record, input, now: new Date() }
    const badgeValue = layout.badge ? String(valueAt(record, layout.badge.field) ?? '') : undefined
    const badgeLabel = layout.badge && badgeValue !== undefined ? layout.badge.values[badgeValue] : undefined
    return {
      ...(layout.idField ? { id: String(valueAt(record, layout.idField) ?? '') } : {}),
      title: { zh: fillTemplate(layout.title.zh, data), en: fillTemplate(layout.title.en, data) },
      ...(badgeValue !== undefined
        ? { badge: { value: badgeValue, label: badgeLabel ?? { zh: badgeValue, en: badgeValue } } }
        : {}),
      // A line whose value is empty (no pickup place yet) is left out.
      lines: layout.lines
        .map((l) => ({ label: l.label, value: fillTemplate(l.value, data) }))
        .filter((l) => l.value.trim() !== ''),
    }
  })
}
