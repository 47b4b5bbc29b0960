import { describe, expect, it } from 'vitest'
import { CommandDecoder } from './command-decoder.ts'
import { configFromReadBack, planEscPosConfig } from './escpos-config.ts'
import { StatusDecoder } from './status-decoder.ts'
import {
  densityToValue,
  encodeEndUserSettings,
  encodeEnterUserSettings,
  encodePrinterInfo,
  encodePrinterInfoReply,
  encodeReadValue,
  encodeSetSwitches,
  encodeSetValues,
  encodeSwitchReply,
  encodeValueReply,
  parseSwitchReply,
  parseValueReply,
  valueToDensity,
} from './user-settings.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('GS ( E user settings codec', () => {
  it('encodes the session commands as Epson documents them', () => {
    expect(hex(encodeEnterUserSettings())).toBe('1d2845030001494e')
    expect(hex(encodeEndUserSettings())).toBe('1d28450400024f5554')
    expect(hex(encodeReadValue(5))).toBe('1d284502000605')
    expect(hex(encodePrinterInfo(0x41))).toBe('1d4941')
    expect(
      hex(
        encodeSetValues(
          new Map([
            [5, 65530],
            [6, 3],
          ]),
        ),
      ),
    ).toBe('1d28450700' + '05' + '05faff' + '060300')
    expect(hex(encodeSetSwitches(new Map([[2, '20100002']])))).toBe('1d28450a0003' + '02' + '3230313030303032')
  })

  it('maps density percent to the fn 5 value and back', () => {
    expect([70, 95, 100, 105, 130].map(densityToValue)).toEqual([65530, 65535, 0, 1, 6])
    for (const p of [70, 85, 100, 115, 130]) expect(valueToDensity(densityToValue(p))).toBe(p)
  })

  it('reply blocks survive the host status decoder, split anywhere, beside status bytes', () => {
    const bytes = Uint8Array.of(
      0x12,
      ...encodeValueReply(6, 3),
      ...encodeSwitchReply('00100000'),
      ...encodePrinterInfoReply('2.1.0'),
    )
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decoder = new StatusDecoder()
      const frames = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))]
      expect(frames.map((e) => (e.kind === 'frame' ? e.frame.type : e.kind))).toEqual([
        'realtime',
        'block',
        'block',
        'block',
      ])
      const blocks = frames.flatMap((e) => (e.kind === 'frame' && e.frame.type === 'block' ? [e.frame] : []))
      expect(parseValueReply(blocks[0]!)).toEqual({ param: 6, value: 3 })
      expect(parseSwitchReply(blocks[1]!)).toBe('00100000')
      expect(Buffer.from(blocks[2]!.data).toString()).toBe('2.1.0')
    }
  })

  it('an unterminated block is discarded as overflow', () => {
    const decoder = new StatusDecoder()
    const events = decoder.push(Uint8Array.of(0x5f, ...new Uint8Array(300).fill(0x41)))
    expect(events.some((e) => e.kind === 'discarded' && e.reason === 'overflow')).toBe(true)
  })

  it('the device-side decoder reads GS ( E and GS I', () => {
    const decoder = new CommandDecoder()
    const events = decoder.push(Uint8Array.of(...encodeEnterUserSettings(), ...encodePrinterInfo(0x41)))
    expect(events).toEqual([
      { kind: 'frame', frame: { type: 'userSetting', fn: 1, data: Uint8Array.of(0x49, 0x4e) } },
      { kind: 'frame', frame: { type: 'printerInfo', n: 0x41 } },
    ])
  })
})

describe('ESC/POS config plan', () => {
  it('turns keys into fn 5 and fn 3 commands', () => {
    const planned = planEscPosConfig({
      printDensity: 90,
      printSpeed: 2,
      codePage: 0,
      memorySwitches: { '1': '00000010' },
    })
    expect(planned.ok).toBe(true)
    if (!planned.ok) return
    expect(planned.plan.keys).toEqual(['printDensity', 'printSpeed', 'codePage', 'memorySwitches'])
    expect([...planned.plan.values]).toEqual([
      [5, 65534],
      [6, 2],
      [97, 0],
    ])
    expect(planned.plan.commands.length).toBe(2)
    expect(configFromReadBack(planned.plan.values, new Map([[1, '00000010']]))).toEqual({
      printDensity: 90,
      printSpeed: 2,
      codePage: 0,
      memorySwitches: { '1': '00000010' },
    })
  })

  it('lists every problem and writes nothing for a bad config', () => {
    const planned = planEscPosConfig({
      printDensity: 101,
      printSpeed: 0,
      codePage: 'x',
      memorySwitches: { '9': '0' },
      cut: 1,
    })
    expect(planned).toMatchObject({ ok: false, unknownKeys: ['cut'] })
    if (planned.ok) return
    expect(planned.problems).toHaveLength(5)
    expect(planEscPosConfig({})).toMatchObject({ ok: false, problems: ['the config sets nothing'] })
  })
})
