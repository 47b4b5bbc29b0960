import type { BusinessLicenceExtract, SocialInsuranceCertificate, TaxPaymentCertificate } from '@kiosk/documents'

import type { CitizenView } from '../sessions/citizen-session.ts'
import { backendFailure, type FlowContext, type ServiceFlow, stepFail, stepOk } from './flow.ts'
import { printCertificate } from './print-steps.ts'

async function printKept<T extends Parameters<typeof printCertificate>[1]>(ctx: FlowContext, key: string) {
  const certificate = ctx.session.recall<T>(key)
  if (!certificate) return stepFail('sequenceError', 'notQueried', 'choose what to print first')
  if (!ctx.devices.isAvailable(ctx.session.serviceId)) {
    return stepFail('deviceNotReady', 'serviceUnavailable', 'the A4 printer cannot print now')
  }
  const result = await printCertificate(ctx, certificate)
  ctx.session.outcome = result.ok ? 'completed' : 'failed'
  return result
}

/** 营业执照自助办理机: ID card + the code from the licence notice → the business licence on A4. */
export const licenseFlow: ServiceFlow = {
  serviceId: 'license-print',
  identify: ['idCard'],
  needsCode: true,
  endsOnCardRemoval: false,
  async query(ctx, input) {
    const citizen = ctx.session.citizen
    if (!citizen) return stepFail('sequenceError', 'notIdentified', 'read the ID card first')
    if (!input.code) return stepFail('invalidData', 'codeMissing', 'the notice code is missing')
    const result = await ctx.backend.businessLicence(citizen, input.code)
    if (!result.ok) return backendFailure(result.code, result.message)
    ctx.session.keep('licence', result.value)
    const l: BusinessLicenceExtract = result.value
    return stepOk({
      kind: 'licence',
      items: [
        {
          companyName: l.companyName,
          creditCode: l.creditCode,
          companyType: l.companyType,
          establishedOn: l.establishedOn,
        },
      ],
      canPrint: ctx.devices.isAvailable('license-print'),
    })
  },
  print: (ctx) => printKept<BusinessLicenceExtract>(ctx, 'licence'),
}

/** 税务一体机: ID card → choose a quarter → 完税证明 on A4. */
export const taxCertificateFlow: ServiceFlow = {
  serviceId: 'tax-certificate',
  identify: ['idCard'],
  needsCode: false,
  endsOnCardRemoval: false,
  async query(ctx) {
    const citizen = ctx.session.citizen
    if (!citizen) return stepFail('sequenceError', 'notIdentified', 'read the ID card first')
    const result = await ctx.backend.taxCertificates(citizen)
    if (!result.ok) return backendFailure(result.code, result.message)
    return stepOk({
      kind: 'taxCertificates',
      items: result.value.map((c) => ({ ...c, taxTypes: [...c.taxTypes] })),
      canPrint: ctx.devices.isAvailable('tax-certificate'),
    })
  },
  async print(ctx, itemId) {
    const citizen = ctx.session.citizen
    if (!citizen) return stepFail('sequenceError', 'notIdentified', 'read the ID card first')
    if (!itemId) return stepFail('invalidData', 'itemMissing', 'choose a certificate')
    const result = await ctx.backend.taxCertificate(citizen, itemId)
    if (!result.ok) return backendFailure(result.code, result.message)
    ctx.session.keep('certificate', result.value)
    return printKept<TaxPaymentCertificate>(ctx, 'certificate')
  },
}

/** The social-security card's holder, read with the PIN the card itself verifies. */
async function holderFromCard(ctx: FlowContext, pin: string) {
  const reader = ctx.devices.socialSecurityCardReader()
  if (!reader) return stepFail('deviceNotReady', 'readerNotReady', 'no social-security card reader')
  const holder = await reader.readHolder(pin)
  if (holder.ok) {
    return stepOk(ctx.session.identify({ idNumber: holder.value.socialSecurityNumber, name: holder.value.name }))
  }
  if (holder.error.detail === 'pinInvalid') return stepFail('userError', 'pinWrong', 'wrong PIN')
  if (holder.error.detail === 'pinBlocked') return stepFail('userError', 'pinLocked', 'PIN blocked')
  if (holder.error.detail === 'noMedia' || holder.error.detail === 'mediaRemoved') {
    return stepFail('userError', 'noMedia', 'the card was taken out')
  }
  return stepFail('hardwareError', holder.error.detail ?? holder.error.code, holder.error.message)
}

/** 社保一体机: ID card or social-security card, + the social-security PIN → 参保证明 on A4. */
export const socialSecurityFlow: ServiceFlow = {
  serviceId: 'ss-certificate',
  identify: ['idCard', 'ssCard', 'pin'],
  needsCode: false,
  endsOnCardRemoval: false,
  async query(ctx, input) {
    if (!input.pin || !/^\d{6}$/.test(input.pin)) return stepFail('invalidData', 'pinFormat', 'the PIN has 6 digits')
    let identified: CitizenView | undefined
    if (!ctx.session.citizen && ctx.session.recall<string>('identifiedBy') === 'ssCard') {
      const fromCard = await holderFromCard(ctx, input.pin)
      if (!fromCard.ok) return fromCard
      identified = fromCard.value
    }
    const citizen = ctx.session.citizen
    if (!citizen) return stepFail('sequenceError', 'notIdentified', 'read the card first')
    const result = await ctx.backend.socialInsurance(citizen, input.pin)
    if (!result.ok) return backendFailure(result.code, result.message, result.triesLeft)
    ctx.session.keep('certificate', result.value)
    const c: SocialInsuranceCertificate = result.value
    return stepOk({
      kind: 'socialInsurance',
      items: c.insurances.map((i) => ({ ...i })),
      canPrint: ctx.devices.isAvailable('ss-certificate'),
      ...(identified ? { citizen: identified } : {}),
    })
  },
  print: (ctx) => printKept<SocialInsuranceCertificate>(ctx, 'certificate'),
}
