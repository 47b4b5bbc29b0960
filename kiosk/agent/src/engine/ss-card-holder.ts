import type { DeviceManager } from '../devices/device-manager.ts'
import type { IdentityPlugin } from './flow-engine.ts'
import { stepFail, stepOk } from './step-result.ts'

/**
 * Identity plugin for `idOrSsCardPin` when the citizen put in a social-security card: its holder
 * is read from the card with the PIN the card itself verifies. With an ID card it does nothing.
 */
export function ssCardHolderPlugin(devices: DeviceManager): IdentityPlugin {
  return {
    async identify(session, pin) {
      if (session.recall<string>('identifiedBy') !== 'ssCard') return stepOk(undefined)
      const reader = devices.socialSecurityCardReader()
      if (!reader) return stepFail('deviceNotReady', 'readerNotReady', 'no social-security card reader')
      const holder = await reader.readHolder(pin ?? '')
      if (holder.ok) {
        return stepOk(session.identify({ idNumber: holder.value.socialSecurityNumber, name: holder.value.name }))
      }
      const detail = holder.error.detail
      if (detail === 'pinInvalid') return stepFail('userError', 'pinWrong', 'wrong PIN', holder.error.triesLeft)
      if (detail === 'pinBlocked') return stepFail('userError', 'pinLocked', 'PIN blocked')
      if (detail === 'noMedia' || detail === 'mediaRemoved')
        return stepFail('userError', 'noMedia', 'the card was taken out')
      return stepFail('hardwareError', detail ?? holder.error.code, holder.error.message)
    },
  }
}
