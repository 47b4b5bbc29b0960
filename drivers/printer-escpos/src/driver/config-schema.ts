import { AppError, DriverErrorCodes } from '@drivers/core'
import Ajv from 'ajv'

/** Checks a config against the model's JSON Schema; returns readable problems (empty when valid). */
export type ConfigValidator = (config: unknown) => string[]

export function compileConfigSchema(schema: Record<string, unknown>): ConfigValidator {
  const ajv = new Ajv({ allErrors: true, strict: false })
  let validate: ReturnType<typeof ajv.compile>
  try {
    validate = ajv.compile(schema)
  } catch (err) {
    throw new AppError(DriverErrorCodes.invalidOption, 'EscPosPrinterOptions.update.configSchema does not compile', {
      cause: err,
    })
  }
  return (config) => {
    if (validate(config)) return []
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
  }
}
