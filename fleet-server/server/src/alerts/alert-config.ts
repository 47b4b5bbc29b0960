import { Type } from '@sinclair/typebox'
import { ALERT_RULES, type AlertPolicy, DEFAULT_ALERT_POLICY, type RuleSettings } from './alert-rules.ts'

const Severity = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')])
const RuleSettingsPatch = Type.Partial(
  Type.Object(
    {
      enabled: Type.Boolean(),
      severity: Severity,
      raiseAfterMs: Type.Integer({ minimum: 0 }),
      clearAfterMs: Type.Integer({ minimum: 0 }),
      latched: Type.Boolean(),
      threshold: Type.Number({ minimum: 0 }),
    },
    { additionalProperties: false },
  ),
)

/** The `alerts` section of the fleet-server config. */
export const AlertsConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    missedHealthFactor: Type.Number({ minimum: 1, default: DEFAULT_ALERT_POLICY.missedHealthFactor }),
    /** Changes to the default of each rule, e.g. {"kioskOffline": {"raiseAfterMs": 600000}}. */
    rules: Type.Partial(
      Type.Object(Object.fromEntries(ALERT_RULES.map((r) => [r, RuleSettingsPatch])), { additionalProperties: false }),
      {
        default: {},
      },
    ),
    /** Per machine type and peripheral class, applied in order. */
    overrides: Type.Array(
      Type.Object(
        {
          rule: Type.Union(ALERT_RULES.map((r) => Type.Literal(r))),
          machineType: Type.Optional(Type.String()),
          deviceClass: Type.Optional(Type.String()),
          settings: RuleSettingsPatch,
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    notify: Type.Object(
      {
        routes: Type.Array(
          Type.Object(
            {
              departments: Type.Optional(Type.Array(Type.String())),
              sites: Type.Optional(Type.Array(Type.String())),
              minSeverity: Type.Optional(Severity),
              webhook: Type.Optional(Type.String({ pattern: '^https?://' })),
              email: Type.Optional(Type.Array(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' }))),
            },
            { additionalProperties: false },
          ),
          { default: [] },
        ),
        smtp: Type.Optional(
          Type.Object(
            {
              host: Type.String(),
              port: Type.Integer({ minimum: 1, maximum: 65535, default: 25 }),
              secure: Type.Boolean({ default: false }),
              user: Type.Optional(Type.String()),
              password: Type.Optional(Type.String({ description: 'secret: env only' })),
              from: Type.String(),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
)

export function alertPolicyFrom(config: {
  missedHealthFactor: number
  rules: Partial<Record<string, Partial<RuleSettings>>>
  overrides: AlertPolicy['overrides']
}): AlertPolicy {
  const rules = { ...DEFAULT_ALERT_POLICY.rules }
  for (const rule of ALERT_RULES) rules[rule] = { ...rules[rule], ...config.rules[rule] }
  return { rules, overrides: config.overrides, missedHealthFactor: config.missedHealthFactor }
}
