import { renderText } from '@drivers/printer-escpos/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KioskRig, startKioskRig } from '../support/kiosk-rig.ts'
import { startStack, type TestStack } from '../support/stack.ts'
import { waitFor } from '../support/wait-for.ts'

interface Outcome {
  status: string
  data?: Record<string, unknown>
  error?: { code: string; message: string }
}

describe('remote commands on a kiosk with real drivers over ptys', () => {
  let stack: TestStack
  let rig: KioskRig
  const send = (command: string, params: Record<string, unknown> = {}) =>
    stack.api<Outcome>(`/api/kiosks/cmd-01/commands/${command}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // confirm: reboot and enter-maintenance are disruptive and refused without it.
      body: JSON.stringify({ params, timeoutMs: 15_000, confirm: true }),
    })

  beforeAll(async () => {
    stack = await startStack({ broker: 'embedded-aedes', db: 'pglite' })
    rig = await startKioskRig({ kioskId: 'cmd-01', machineType: 'id', mqttUrl: stack.mqttUrl })
    await waitFor('kiosk online with its devices open', async () => {
      const k = await stack.api<{
        state: string
        peripherals: { deviceId: string; status: { state: string } | null }[]
      }>('/api/kiosks/cmd-01')
      return k.state === 'online' && k.peripherals.every((p) => p.status?.state === 'online')
    })
  })
  afterAll(async () => {
    await rig?.stop()
    await stack?.stop()
  })

  it('prints a test page on the ESC/POS printer', async () => {
    expect(await send('print-test-page')).toMatchObject({ status: 'ok', data: { deviceId: 'receipt' } })
    const receipt = rig.receipt
    expect(receipt).toBeDefined()
    expect(renderText(receipt?.printed ?? [], receipt?.profile.dotsPerLine ?? 576)).toContain('Printer self-test')
  })

  it("self-tests the reader's SAM and the printer through their drivers", async () => {
    const outcome = await send('self-test')
    expect(outcome.status).toBe('ok')
    expect(outcome.data?.results).toEqual(
      expect.arrayContaining([
        { deviceId: 'idcard', ok: true, state: 'online' },
        { deviceId: 'receipt', ok: true, state: 'online' },
      ]),
    )
  })

  it('reports maintenance mode to the fleet at once, and back', async () => {
    expect(await send('enter-maintenance', { reason: '更换打印纸' })).toMatchObject({ data: { mode: 'maintenance' } })
    await waitFor('maintenance in the latest health', async () => {
      const { history } = await stack.api<{ history: { health: { mode: string } }[] }>(
        '/api/kiosks/cmd-01/health?limit=1',
      )
      return history[0]?.health.mode === 'maintenance'
    })
    expect(await send('leave-maintenance')).toMatchObject({ data: { mode: 'inService' } })
  })

  it('collects recent log lines and refuses a reboot it was not configured for', async () => {
    const logs = await send('collect-logs', { maxLines: 50 })
    expect(logs.status).toBe('ok')
    expect((logs.data?.lines as string[] | undefined)?.length ?? 0).toBeGreaterThan(0)
    expect(await send('reboot')).toMatchObject({ status: 'error', error: { code: 'ERR_KIOSK_UNSUPPORTED' } })
  })
})
