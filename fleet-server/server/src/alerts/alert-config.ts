import { type Static, Type } from '@sinclair/typebox'
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

const Url = Type.String({ pattern: '^https?://' })

/** Where an alert goes: filters (department, site, severity) and the channels of that audience. */
export const NotifyRouteSchema = Type.Object(
  {
    departments: Type.Optional(Type.Array(Type.String())),
    sites: Type.Optional(Type.Array(Type.String())),
    minSeverity: Type.Optional(Severity),
    /** Generic JSON webhook; signed (HMAC-SHA256, `x-fleet-signature`) when `webhookSecret` is set. */
    webhook: Type.Optional(Url),
    webhookSecret: Type.Optional(Type.String({ minLength: 16, description: 'secret: redacted when read back' })),
    /** WeCom (企业微信) group robot URL, `…/cgi-bin/webhook/send?key=…`. */
    wecom: Type.Optional(Url),
    /** DingTalk (钉钉) custom robot URL, `…/robot/send?access_token=…`, and its 加签 secret. */
    dingtalk: Type.Optional(Url),
    dingtalkSecret: Type.Optional(Type.String({ minLength: 1, description: 'secret: redacted when read back' })),
    email: Type.Optional(Type.Array(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' }))),
  },
  { additionalProperties: false },
)
export type NotifyRoute = Static<typeof NotifyRouteSchema>

/**
 * The notification settings an operator may change at runtime (PUT /api/alerts/settings, stored in
 * `alert_settings`); the config file's `alerts.notify` is the value until then. SMTP stays in the file.
 */
export const NotifySettingsSchema = Type.Object(
  {
    routes: Type.Array(NotifyRouteSchema, { default: [] }),
    /** Alerts of one rule, site and department raised within this time go out as one message. */
    groupWaitMs: Type.Integer({ minimum: 0, maximum: 600_000, default: 30_000 }),
    /** Failed webhook/robot deliveries are retried with exponential backoff (jittered). */
    retry: Type.Object(
      {
        attempts: Type.Integer({ minimum: 1, maximum: 20, default: 6 }),
        baseDelayMs: Type.Integer({ minimum: 0, default: 1000 }),
        maxDelayMs: Type.Integer({ minimum: 0, default: 60_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** An active alert nobody acknowledged within `afterMs` is sent again to `to` (once). */
    escalation: Type.Optional(
      Type.Object(
        { afterMs: Type.Integer({ minimum: 1000 }), minSeverity: Type.Optional(Severity), to: NotifyRouteSchema },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type NotifySettings = Static<typeof NotifySettingsSchema>

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
        ...NotifySettingsSchema.properties,
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
