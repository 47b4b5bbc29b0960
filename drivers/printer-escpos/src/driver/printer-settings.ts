import { type DeviceConfig, type DeviceUpdateFailureDetail, fail, ok, type Result } from '@drivers/core'
import {
  configFromReadBack,
  ESCPOS_CONFIG_KEYS,
  type EscPosConfigPlan,
  planEscPosConfig,
  switchMatches,
} from '../codec/escpos-config.ts'
import {
  encodeEndUserSettings,
  encodeEnterUserSettings,
  encodePrinterInfo,
  encodeReadSwitch,
  encodeReadValue,
  PrinterInfo,
  parseSwitchReply,
  parseValueReply,
  REPLY_ID_ENTERED,
  REPLY_USER_SETTING,
  SettingParam,
} from '../codec/user-settings.ts'
import { type ConfigValidator, compileConfigSchema } from './config-schema.ts'
import { type FirmwareVersion, isInfoBlock, type ModelUpdateSupport } from './firmware-version.ts'
import type { FirmwareTimings } from './options.ts'
import type { PrinterConnection } from './printer-connection.ts'

type UpdateResult<T> = Result<T, DeviceUpdateFailureDetail>

export interface PrinterSettingsOptions {
  connection: PrinterConnection
  version: FirmwareVersion
  update: ModelUpdateSupport
  timings: Required<FirmwareTimings>
}

/**
 * Printer settings through GS ( E user setting mode: print density, speed, code page (fn 5 / 6)
 * and memory switches (fn 3 / 4). Each session ends with fn 2, after which the printer resets.
 */
export class PrinterSettings {
  readonly #o: PrinterSettingsOptions
  readonly #validator: ConfigValidator | undefined

  constructor(options: PrinterSettingsOptions) {
    this.#o = options
    this.#validator = options.update?.configSchema ? compileConfigSchema(options.update.configSchema) : undefined
  }

  /**
   * Writes the settings, reads each back and ends the session: the printer resets and is back
   * online before this resolves. Refused while a job is queued or printing.
   */
  async apply(config: DeviceConfig): Promise<UpdateResult<{ applied: string[] }>> {
    const refused = this.#o.version.refuse('config')
    if (refused) return refused
    const checked = this.#check(config)
    if (!checked.ok) return checked
    const plan = checked.value
    const connection = this.#o.connection
    return connection.exclusive('config', async (log) => {
      const entered = await this.#enter()
      if (!entered.ok) return entered
      let outcome: UpdateResult<{ applied: string[] }> = ok({ applied: plan.keys })
      for (const command of plan.commands) await connection.send(command)
      const readBack = await this.#readPlanned(plan)
      if (!readBack.ok) outcome = readBack
      else {
        const wrong = mismatches(plan, readBack.value.values, readBack.value.switches)
        if (wrong.length > 0) {
          outcome = fail('hardwareError', `printer kept other values for ${wrong.join(', ')}`, 'readBackMismatch')
        }
      }
      const restarted = await this.#end()
      if (!restarted.ok) return restarted
      if (outcome.ok) log.info({ applied: plan.keys }, 'config applied')
      return outcome
    })
  }

  /** Reads the settings this driver can write (a session: the printer resets at its end). */
  async read(): Promise<UpdateResult<DeviceConfig>> {
    const refused = this.#o.version.refuse('config')
    if (refused) return refused
    const keys = this.#keys()
    const params = [
      keys.includes('printDensity') ? SettingParam.printDensity : undefined,
      keys.includes('printSpeed') ? SettingParam.printSpeed : undefined,
      keys.includes('codePage') ? SettingParam.codePage : undefined,
    ].filter((p) => p !== undefined)
    const switches = keys.includes('memorySwitches') ? [1, 2, 3, 4, 5, 6, 7, 8] : []
    return this.#o.connection.exclusive('config', async () => {
      const entered = await this.#enter()
      if (!entered.ok) return entered
      const values = new Map<number, number>()
      const bits = new Map<number, string>()
      for (const param of params) {
        const r = await this.#readValue(param)
        if (r.ok) values.set(param, r.value)
      }
      for (const msw of switches) {
        const r = await this.#readSwitch(msw)
        if (r.ok) bits.set(msw, r.value)
      }
      const restarted = await this.#end()
      if (!restarted.ok) return restarted
      return ok(configFromReadBack(values, bits) as DeviceConfig)
    })
  }

  #keys(): string[] {
    const properties = this.#o.update?.configSchema?.properties
    if (typeof properties === 'object' && properties !== null) return Object.keys(properties)
    return [...ESCPOS_CONFIG_KEYS]
  }

  #check(config: DeviceConfig): UpdateResult<EscPosConfigPlan> {
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      return fail('invalidData', 'a config is an object of settings', 'badValue')
    }
    const unsupported = Object.keys(config).filter(
      (k) => (ESCPOS_CONFIG_KEYS as readonly string[]).includes(k) && !this.#keys().includes(k),
    )
    if (unsupported.length > 0) {
      return fail('unsupported', `this model does not take ${unsupported.join(', ')}`, 'unknownKey')
    }
    const schemaProblems = this.#validator?.(config)
    if (schemaProblems && schemaProblems.length > 0) {
      return fail('invalidData', `config does not match the model's schema: ${schemaProblems.join('; ')}`, 'badValue')
    }
    const planned = planEscPosConfig(config)
    if (!planned.ok) {
      const detail = planned.unknownKeys.length > 0 ? 'unknownKey' : 'badValue'
      return fail('invalidData', `invalid config: ${planned.problems.join('; ')}`, detail)
    }
    return ok(planned.plan)
  }

  async #enter(): Promise<UpdateResult<void>> {
    const { connection, timings } = this.#o
    const reply = await connection.ask(
      encodeEnterUserSettings(),
      (b) => b.header === REPLY_USER_SETTING && b.data[0] === REPLY_ID_ENTERED,
      timings.replyTimeoutMs,
    )
    if (reply.ok) return ok(undefined)
    // a printer that answers GS I but not GS ( E fn 1 has no user setting mode
    const alive = await connection.ask(encodePrinterInfo(PrinterInfo.firmware), isInfoBlock, timings.replyTimeoutMs)
    if (alive.ok) return fail('unsupported', 'the printer has no GS ( E user setting mode', 'refused')
    return fail('timeout', `no answer to GS ( E fn 1: ${reply.error.message}`, 'noResponse')
  }

  /** fn 2: ends the session; the printer resets, and is awaited back online. */
  async #end(): Promise<UpdateResult<string>> {
    await this.#o.connection.send(encodeEndUserSettings())
    return this.#o.version.waitForRestart()
  }

  async #readValue(param: number): Promise<UpdateResult<number>> {
    const reply = await this.#o.connection.ask(
      encodeReadValue(param),
      (b) => parseValueReply(b)?.param === param,
      this.#o.timings.replyTimeoutMs,
    )
    if (!reply.ok) return fail(reply.error.code, `GS ( E fn 6 ${param}: ${reply.error.message}`, 'noResponse')
    return ok(parseValueReply(reply.value)?.value ?? 0)
  }

  async #readSwitch(msw: number): Promise<UpdateResult<string>> {
    const reply = await this.#o.connection.ask(
      encodeReadSwitch(msw),
      (b) => parseSwitchReply(b) !== undefined,
      this.#o.timings.replyTimeoutMs,
    )
    if (!reply.ok) return fail(reply.error.code, `GS ( E fn 4 ${msw}: ${reply.error.message}`, 'noResponse')
    return ok(parseSwitchReply(reply.value) ?? '')
  }

  async #readPlanned(
    plan: EscPosConfigPlan,
  ): Promise<UpdateResult<{ values: Map<number, number>; switches: Map<number, string> }>> {
    const values = new Map<number, number>()
    const switches = new Map<number, string>()
    for (const param of plan.values.keys()) {
      const r = await this.#readValue(param)
      if (!r.ok) return r
      values.set(param, r.value)
    }
    for (const msw of plan.switches.keys()) {
      const r = await this.#readSwitch(msw)
      if (!r.ok) return r
      switches.set(msw, r.value)
    }
    return ok({ values, switches })
  }
}

/** Config keys whose read-back differs from what was written. */
function mismatches(plan: EscPosConfigPlan, values: Map<number, number>, switches: Map<number, string>): string[] {
  const wrong: string[] = []
  for (const [param, value] of plan.values) if (values.get(param) !== value) wrong.push(`setting ${param}`)
  for (const [msw, bits] of plan.switches) {
    if (!switchMatches(bits, switches.get(msw) ?? '')) wrong.push(`memory switch ${msw}`)
  }
  return wrong
}
