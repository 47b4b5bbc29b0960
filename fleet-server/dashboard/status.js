// How a peripheral status reads and which colour it gets.
export function statusClass(status) {
  if (!status) return 'off'
  if (
    status.state === 'hardwareError' ||
    status.paper === 'out' ||
    status.paper === 'jammed' ||
    status.cover === 'open'
  )
    return 'bad'
  if (status.state === 'userError' || status.state === 'noDevice' || status.paper === 'low') return 'warn'
  if (status.state === 'online' || status.state === 'busy') return 'ok'
  return 'off'
}

export function statusText(t, status) {
  if (!status) return '—'
  const parts = [t.deviceState[status.state] ?? status.state]
  if (status.paper && status.paper !== 'full' && status.paper !== 'unknown')
    parts.push(t.paper[status.paper] ?? status.paper)
  if (status.cover === 'open') parts.push(t.cover.open)
  if (status.errorCode) parts.push(status.errorCode)
  return parts.join(' · ')
}

/** @param {import('@kiosk-fleet/protocol/http').KioskView} kiosk */
export function isFaulted(kiosk) {
  return kiosk.state === 'online' && kiosk.peripherals.some((p) => statusClass(p.status) !== 'ok')
}
