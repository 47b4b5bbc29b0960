import { describe, expect, it } from 'vitest'
import { checkCardValidity } from './card-validity.ts'

const ALL = ['resident', 'foreignPermanent', 'hkMacauTaiwan'] as const
const permit = { cardType: 'hkMacauTaiwan' as const, validFrom: '2019-01-01', validTo: '2024-01-01' }

describe('checkCardValidity', () => {
  it('refuses a permit that expired in 2024', () => {
    expect(checkCardValidity(permit, ALL, new Date('2026-12-04T10:00:00Z'))).toEqual({ ok: false, reason: 'expired' })
  })

  it('accepts a card on its expiry day and refuses it the next day (Beijing time)', () => {
    const card = { cardType: 'resident' as const, validFrom: '2020-01-01', validTo: '2030-01-01' }
    // 2030-01-01 23:30 in Beijing is 15:30 UTC
    expect(checkCardValidity(card, ALL, new Date('2030-01-01T15:30:00Z'))).toEqual({ ok: true })
    // 2030-01-02 00:30 in Beijing is 2030-01-01 16:30 UTC: already the next day there
    expect(checkCardValidity(card, ALL, new Date('2030-01-01T16:30:00Z'))).toEqual({ ok: false, reason: 'expired' })
  })

  it('accepts long-term cards and refuses cards not yet valid', () => {
    const card = { cardType: 'resident' as const, validFrom: '2020-01-01', validTo: 'long-term' as const }
    expect(checkCardValidity(card, ALL, new Date('2060-01-01T00:00:00Z'))).toEqual({ ok: true })
    expect(checkCardValidity(card, ALL, new Date('2019-06-01T00:00:00Z'))).toEqual({ ok: false, reason: 'notYetValid' })
  })

  it('refuses card types the service does not accept', () => {
    expect(checkCardValidity(permit, ['resident'], new Date('2020-01-01T00:00:00Z'))).toEqual({
      ok: false,
      reason: 'typeNotAccepted',
    })
  })

  it('refuses dates it cannot read instead of guessing', () => {
    const card = { cardType: 'resident' as const, validFrom: '2020-13-45', validTo: '2030-01-01' }
    expect(checkCardValidity(card, ALL, new Date())).toEqual({ ok: false, reason: 'unreadableDates' })
    expect(checkCardValidity({ ...card, validFrom: '2020-01-01', validTo: '长期?' }, ALL, new Date())).toEqual({
      ok: false,
      reason: 'unreadableDates',
    })
  })
})
