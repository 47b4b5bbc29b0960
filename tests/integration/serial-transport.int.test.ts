import { SerialTransport } from '@drivers/transport-serial'
import { afterEach, describe, expect, it } from 'vitest'
import { createPtyPair, type PtyPair } from '../support/pty.ts'

describe('SerialTransport over a socat pty pair', () => {
  let pty: PtyPair | undefined
  afterEach(async () => {
    await pty?.close()
  })

  it('carries bytes both ways and reports the device vanishing as a disconnect', async () => {
    pty = await createPtyPair()
    const device = new SerialTransport({ path: pty.deviceEnd, baudRate: 115200 })
    const host = new SerialTransport({ path: pty.hostEnd, baudRate: 115200 })
    await device.open()
    await host.open()

    const received: number[] = []
    const gotAll = new Promise<void>((resolve) =>
      host.onData((chunk) => {
        received.push(...chunk)
        if (received.length >= 300) resolve()
      }),
    )
    const payload = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff)
    await device.write(payload)
    await gotAll
    expect(received).toEqual([...payload])

    const lost = new Promise<Error>((resolve) => host.onDisconnect(resolve))
    await device.close()
    await pty.close()
    pty = undefined
    const cause = await lost
    expect(cause).toBeInstanceOf(Error)
    expect(host.isOpen).toBe(false)
  })

  it('fails to open a missing port with a stable code', async () => {
    const host = new SerialTransport({ path: '/dev/does-not-exist', baudRate: 9600 })
    await expect(host.open()).rejects.toMatchObject({ code: 'ERR_DRV_TRANSPORT_OPEN_FAILED' })
  })
})
