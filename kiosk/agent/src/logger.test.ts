import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createRootLogger } from './logger.ts'

describe('kiosk logger redaction', () => {
  it('never writes ID-card fields or secrets, wherever they sit in a log object', () => {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk))
        done()
      },
    })
    const log = createRootLogger('info', sink).child({ mod: 'agent.test' })
    const card = {
      name: '张三',
      idNumber: '11010519491231002X',
      address: '北京市东城区景山前街4号',
      birthDate: '1949-12-31',
      photoWlt: 'V0xUAAAAAA==',
    }
    log.info({ card, session: { card }, mqtt: { password: 's3cret' }, token: 'tok-123' }, 'card read')
    const text = lines.join('')
    for (const secret of ['张三', '11010519491231002X', '景山前街', '1949-12-31', 'V0xUAAAAAA', 's3cret', 'tok-123']) {
      expect(text).not.toContain(secret)
    }
    expect(text).toContain('card read')
    expect(text).toContain('[redacted]')
  })
})
