import type { Queryable } from '../db/database.ts'
import type { NotifyRoute, NotifySettings } from './alert-config.ts'

/**
 * The notification settings in force: the row in `alert_settings` once an operator saved one
 * (PUT /api/alerts/settings), else the config file's. Read at every delivery, so a change takes
 * effect at once on every replica, without a restart.
 */
export class NotifySettingsStore {
  constructor(
    private readonly db: Queryable,
    private readonly fromConfig: NotifySettings,
  ) {}

  async current(): Promise<NotifySettings & { source: 'config' | 'runtime'; updatedBy?: string; updatedAt?: string }> {
    const [row] = await this.db.query<{ notify: NotifySettings; updated_by: string; updated_at: unknown }>(
      'SELECT notify, updated_by, updated_at FROM alert_settings WHERE id = 1',
    )
    if (row === undefined) return { ...this.fromConfig, source: 'config' }
    return {
      ...row.notify,
      source: 'runtime',
      updatedBy: row.updated_by,
      updatedAt: new Date(row.updated_at as string).toISOString(),
    }
  }

  /** Saves new settings; secrets left out of a route keep their saved value (they are never read back). */
  async put(settings: NotifySettings, userId: string): Promise<void> {
    const before = await this.current()
    const keep = (route: NotifyRoute, i: number, old: NotifyRoute[]): NotifyRoute => {
      const was = old[i]
      if (was === undefined) return route
      return {
        ...route,
        ...(route.webhookSecret === undefined && was.webhookSecret !== undefined && route.webhook === was.webhook
          ? { webhookSecret: was.webhookSecret }
          : {}),
        ...(route.dingtalkSecret === undefined && was.dingtalkSecret !== undefined && route.dingtalk === was.dingtalk
          ? { dingtalkSecret: was.dingtalkSecret }
          : {}),
      }
    }
    const next: NotifySettings = {
      ...settings,
      routes: settings.routes.map((r, i) => keep(r, i, before.routes)),
      ...(settings.escalation === undefined
        ? {}
        : {
            escalation: {
              ...settings.escalation,
              to: before.escalation ? keep(settings.escalation.to, 0, [before.escalation.to]) : settings.escalation.to,
            },
          }),
    }
    await this.db.query(
      `INSERT INTO alert_settings (id, notify, updated_by, updated_at) VALUES (1, $1::jsonb, $2, now())
       ON CONFLICT (id) DO UPDATE SET notify = excluded.notify, updated_by = excluded.updated_by, updated_at = now()`,
      [JSON.stringify(next), userId],
    )
  }

  /** Goes back to the config file's settings. */
  async reset(): Promise<void> {
    await this.db.query('DELETE FROM alert_settings WHERE id = 1')
  }
}

/** Settings as the API shows them: secrets replaced by whether one is set. */
export function redacted<T extends NotifySettings>(settings: T): T {
  const hide = (r: NotifyRoute) => {
    const { webhookSecret, dingtalkSecret, ...rest } = r
    return {
      ...rest,
      ...(webhookSecret === undefined ? {} : { webhookSecretSet: true }),
      ...(dingtalkSecret === undefined ? {} : { dingtalkSecretSet: true }),
    }
  }
  return {
    ...settings,
    routes: settings.routes.map(hide),
    ...(settings.escalation === undefined
      ? {}
      : { escalation: { ...settings.escalation, to: hide(settings.escalation.to) } }),
  } as T
}
