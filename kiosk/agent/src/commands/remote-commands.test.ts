import { type DeviceClass, fail, ok } from '@drivers/core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EmulatedPeripheral } from '../devices/emulated-peripheral.ts'
import type { Peripheral } from '../devices/peripheral.ts'
import { createRootLogger } from '../logger.ts'
import { LogRing } from '../logging/log-ring.ts'
import { MaintenanceMode } from './maintenance.ts'
import { createRemoteCommandHandlers, type RemoteCommandOptions } from './remote-commands.ts'

const emulated = (deviceId: string, deviceClass: DeviceClass) =>
  new EmulatedPeripheral({
    deviceId,
    identity: { deviceClass, vendor: 'v', model: 'm', serial: '', firmware: '' },
  })

function setup(overrides: Partial<RemoteCommandOptions> = {}) {
  const actions: string[] = []
  const logRing = new LogRing(100)
  const maintenance = new MaintenanceMode()
  const options: RemoteCommandOptions = {
    peripherals: () => [],
    maintenance,
    logRing,
    rebootCommand: undefined,
    restartAgent: () => actions.push('restart'),
    reboot: (argv) => actions.push(`reboot:${argv.join(' ')}`),
    recordHealth: () => actions.push('health'),
    currentMode: () => 'inService',
    logger: createRootLogger('info', logRing),
    ...overrides,
  }
  return { handlers: createRemoteCommandHandlers(options), actions, logRing, maintenance }
}

describe('remote commands', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('answers restart-agent first and restarts afterwards', async () => {
    const { handlers, actions } = setup()
    expect(await handlers['restart-agent']({})).toEqual({ restartInMs: 500 })
    expect(actions).toEqual([])
    await vi.advanceTimersByTimeAsync(500)
    expect(actions).toEqual(['restart'])
  })

  it('refuses reboot where no reboot command is configured, and runs it where one is', async () => {
    await expect(setup().handlers.reboot({})).rejects.toMatchObject({ code: 'ERR_KIOSK_UNSUPPORTED' })
    const { handlers, actions } = setup({ rebootCommand: ['systemctl', 'reboot'] })
    await handlers.reboot({})
    await vi.advanceTimersByTimeAsync(500)
    expect(actions).toEqual(['reboot:systemctl reboot'])
  })

  it('self-tests with the driver where it can, and from the status where it cannot', async () => {
    const reader = Object.assign(emulated('idcard', 'idCardReader'), {
      selfTest: async () => fail('hardwareError', 'SAM self-test failed', 'samFault'),
    })
    const printer = emulated('receipt', 'receiptPrinter')
    printer.setStatus({ state: 'online', paper: 'out' })
    const { handlers } = setup({ peripherals: () => [reader, printer] })
    expect(await handlers['self-test']({})).toEqual({
      results: [
        { deviceId: 'idcard', ok: false, state: 'online', errorCode: 'samFault' },
        { deviceId: 'receipt', ok: false, state: 'online' },
      ],
    })
  })

  it('prints a test page on a receipt printer that can, and refuses without one', async () => {
    await expect(
      setup({ peripherals: () => [emulated('a4', 'documentPrinter')] }).handlers['print-test-page']({}),
    ).rejects.toMatchObject({
      code: 'ERR_KIOSK_UNSUPPORTED',
    })
    const printed: string[] = []
    const printer: Peripheral = Object.assign(emulated('receipt', 'receiptPrinter'), {
      printTestPage: async () => {
        printed.push('test page')
        return ok(undefined)
      },
    })
    expect(await setup({ peripherals: () => [printer] }).handlers['print-test-page']({})).toEqual({
      deviceId: 'receipt',
    })
    expect(printed).toEqual(['test page'])
  })

  it('enters and leaves maintenance, reporting health at once', async () => {
    const { handlers, actions, maintenance } = setup()
    expect(await handlers['enter-maintenance']({ reason: 'replacing the printer' })).toEqual({ mode: 'maintenance' })
    expect(maintenance).toMatchObject({ active: true, reason: 'replacing the printer' })
    expect(await handlers['leave-maintenance']({})).toEqual({ mode: 'inService' })
    expect(maintenance.active).toBe(false)
    expect(actions).toEqual(['health', 'health'])
  })

  it('collects recent log lines with card fields redacted and ID numbers scrubbed', async () => {
    const { handlers, logRing } = setup()
    const log = createRootLogger('info', logRing)
    log.info({ card: { name: '张三', idNumber: '11010519491231002X' } }, 'card read')
    log.warn('backend answered for 11010519491231002X and card 6222020200112233445')
    const { lines, truncated } = await handlers['collect-logs']({ maxLines: 10 })
    const text = lines.join('\n')
    expect(text).toContain('card read')
    expect(text).not.toContain('张三')
    expect(text).not.toContain('11010519491231002X')
    expect(text).not.toContain('6222020200112233445')
    expect(text).toContain('[scrubbed]')
    // The lines keep pino's timestamps (they used to be scrubbed as long digit runs).
    for (const line of lines) expect(JSON.parse(line).time).toBe(Date.now())
    expect(truncated).toBe(false)
  })
})
