import { ConfigError } from '@kiosk-fleet/protocol'
import { describe, expect, it } from 'vitest'
import { loadAgentConfig } from './load-agent-config.ts'

const base = {
  kioskId: 'hx-tc-id-01',
  machineType: 'id',
  department: 'public-security',
  site: {
    id: 'hx-town-centre',
    name: '花溪镇便民服务中心',
    kind: 'townCentre',
    city: '青州市',
    county: '花溪县',
    town: '花溪镇',
    latitude: 30.6,
    longitude: 114.3,
  },
  dataDir: '/tmp/kiosk-config-test',
}

function problemsOf(peripherals: unknown[], env: Record<string, string> = {}): string[] {
  try {
    loadAgentConfig({ file: { ...base, peripherals }, env })
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

describe('peripheral config', () => {
  it('takes a registry model with an address and label data, and an explicit emulated one', () => {
    const config = loadAgentConfig({
      file: {
        ...base,
        peripherals: [
          { deviceId: 'receipt', model: 'epson-tm-t88v', address: '/dev/ttyS1', serial: 'X1', hwRevision: 'M244A' },
          { deviceId: 'camera', emulated: { deviceClass: 'camera', vendor: 'demo', model: 'emulated' } },
        ],
      },
    })
    expect(config.peripherals[0]).toMatchObject({
      model: 'epson-tm-t88v',
      serial: 'X1',
      firmware: '',
      hwRevision: 'M244A',
    })
    expect(config.peripherals[1]?.emulated?.deviceClass).toBe('camera')
  })

  it('refuses the former shape, naming each field and what to write instead', () => {
    const problems = problemsOf([
      { deviceId: 'receipt', deviceClass: 'receiptPrinter', vendor: 'Epson', model: 'TM-T88V', driver: 'escpos' },
      { deviceId: 'idcard', registryId: 'generic-sam-v-uart', address: '/dev/ttyS0' },
    ])
    expect(problems).toEqual([
      expect.stringMatching(/^\/peripherals\/0\/driver: no longer a peripheral setting: .*"model"/),
      expect.stringMatching(/^\/peripherals\/0\/deviceClass: /),
      expect.stringMatching(/^\/peripherals\/0\/vendor: /),
      expect.stringMatching(/^\/peripherals\/1\/registryId: .*"model"/),
    ])
  })

  it('refuses the former shape from KIOSK_PERIPHERALS too', () => {
    const env = { KIOSK_PERIPHERALS: JSON.stringify([{ deviceId: 'idcard', driver: 'ga467', address: '/dev/ttyS0' }]) }
    expect(problemsOf([], env)).toEqual([expect.stringMatching(/^\/peripherals\/0\/driver: /)])
  })

  it('a peripheral is a registry model or emulated: never neither, never both, never a free-text model', () => {
    expect(problemsOf([{ deviceId: 'a', address: '/dev/ttyS0' }])).toEqual([
      '/peripherals/0: needs "model" (a device-registry model id) or "emulated"',
    ])
    expect(
      problemsOf([
        { deviceId: 'a', model: 'generic-sam-v-uart', emulated: { deviceClass: 'camera', vendor: 'v', model: 'm' } },
      ]),
    ).toEqual(['/peripherals/0: "model" and "emulated" exclude each other'])
    expect(problemsOf([{ deviceId: 'a', model: 'TM-T88V' }]).join('\n')).toMatch(/\/peripherals\/0\/model: must match/)
  })
})
