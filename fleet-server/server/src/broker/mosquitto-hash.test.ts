import { describe, expect, it } from 'vitest'
import { mosquittoHash, verifyMosquittoHash } from './mosquitto-hash.ts'

describe('mosquitto $7$ hashes', () => {
  it('verifies a hash written by mosquitto_passwd 2.0', async () => {
    // `mosquitto_passwd -c -b pw alice secret` (Mosquitto 2.0.11)
    const hash =
      '$7$101$fBLTnVZ+L3SJYFnA$qyS85qejSX81zsP7a+VKs6RpQ3usk7ZZCffo924g92UhgxwIGmnFrlmloSf9dDHLPP8LzMg0/OS0Rxv3HA+JJg=='
    expect(await verifyMosquittoHash(hash, 'secret')).toBe(true)
    expect(await verifyMosquittoHash(hash, 'Secret')).toBe(false)
  })

  it('round-trips its own hashes with a fresh salt each time', async () => {
    const [one, two] = [await mosquittoHash('pw'), await mosquittoHash('pw')]
    expect(one).toMatch(/^\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/)
    expect(one).not.toBe(two)
    expect(await verifyMosquittoHash(one, 'pw')).toBe(true)
    expect(await verifyMosquittoHash(one, 'pw2')).toBe(false)
  })

  it('verifies nothing against a malformed hash', async () => {
    for (const bad of ['', '$6$x$y', '$7$0$AAAA$AAAA', '$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA']) {
      expect(await verifyMosquittoHash(bad, 'pw')).toBe(false)
    }
  })
})
