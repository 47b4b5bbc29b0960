import { Type } from '@sinclair/typebox'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadLayeredConfig } from './layered-config.ts'

const Schema = Type.Object(
  {
    kioskId: Type.String(),
    mqtt: Type.Object(
      { url: Type.String({ default: 'mqtt://127.0.0.1:1883' }), keepaliveS: Type.Integer({ default: 30 }) },
      { additionalProperties: false, default: {} },
    ),
    level: Type.Union([Type.Literal('info'), Type.Literal('debug')], { default: 'info' }),
  },
  { additionalProperties: false },
)

describe('loadLayeredConfig', () => {
  it('applies defaults, then the file, then env, and freezes the result', () => {
    const config = loadLayeredConfig(Schema, {
      file: { kioskId: 'k1', mqtt: { keepaliveS: 10 } },
      env: { KIOSK_MQTT__URL: 'mqtt://broker:1883', KIOSK_LEVEL: 'debug', OTHER: 'x' },
      envPrefix: 'KIOSK',
    })
    expect(config).toEqual({ kioskId: 'k1', mqtt: { url: 'mqtt://broker:1883', keepaliveS: 10 }, level: 'debug' })
    expect(Object.isFrozen(config.mqtt)).toBe(true)
  })

  it('parses non-string env values as JSON', () => {
    const config = loadLayeredConfig(Schema, {
      file: { kioskId: 'k1' },
      env: { KIOSK_MQTT__KEEPALIVE_S: '5' },
      envPrefix: 'KIOSK',
    })
    expect(config.mqtt.keepaliveS).toBe(5)
  })

  it('reports every bad path at once', () => {
    let error: unknown
    try {
      loadLayeredConfig(Schema, {
        file: { mqtt: { keepaliveS: 'often', extra: true } },
        env: { KIOSK_NOPE: '1', KIOSK_MQTT__KEEPALIVE_S: 'soon' },
        envPrefix: 'KIOSK',
      })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ConfigError)
    const problems = (error as ConfigError).problems.join('\n')
    expect(problems).toMatch(/KIOSK_NOPE: no setting at nope/)
    expect(problems).toMatch(/KIOSK_MQTT__KEEPALIVE_S: expected JSON/)
    expect(problems).toMatch(/must have required property 'kioskId'/)
    expect(problems).toMatch(/\/mqtt.*additional properties \(extra\)/)
    expect(problems).toMatch(/\/mqtt\/keepaliveS: must be integer/)
  })
})
