import { describe, expect, it } from 'vitest'
import { fillTemplate, templateProblems } from './text-template.ts'

describe('text templates', () => {
  it('fills paths and formatters, leaves missing values empty', () => {
    const data = { record: { amount: 12345.6, at: '2026-01-15T08:00:00Z', list: ['a', 'b'] } }
    expect(
      fillTemplate('{{record.amount|yuan}} 元 · {{record.at|date}} · {{record.list}} · {{record.none}}.', data),
    ).toBe('12,345.60 元 · 2026-01-15 · a、b · .')
  })
  it('reports unknown formatters and unbalanced braces', () => {
    expect(templateProblems('{{a}} {{b|yuan}}')).toEqual([])
    expect(templateProblems('{{a|euro}}')[0]).toContain('unknown formatter')
    expect(templateProblems('{{a')[0]).toContain('malformed')
  })
})
