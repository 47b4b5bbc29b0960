-- Quiet, truthful alerts and rollouts that reach everyone (docs/updates.md, README "Alerts").

-- How long after its start a rollout keeps retrying kiosks that were offline or timed out when they
-- come back; at started_at + retry_for_ms every kiosk without an outcome gets one (timed out).
ALTER TABLE rollouts ADD COLUMN retry_for_ms bigint NOT NULL DEFAULT 604800000 CHECK (retry_for_ms >= 0);

-- Silences: while one matches, an alert is neither raised nor notified. Audited on create and end.
CREATE TABLE alert_silences (
  id          bigserial PRIMARY KEY,
  -- Any of these left null matches everything; all given must match.
  kiosk_id    text,
  site_id     text,
  rule        text,
  reason      text NOT NULL CHECK (length(reason) > 0),
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  starts_at   timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  ended_by    text,
  ended_at    timestamptz,
  CHECK (expires_at > starts_at)
);
CREATE INDEX alert_silences_active_idx ON alert_silences (expires_at) WHERE ended_at IS NULL;

-- Escalation: when an unacknowledged alert was escalated (once).
ALTER TABLE alerts ADD COLUMN escalated_at timestamptz;

-- Notification settings changed at runtime through the API (override the config file's notify section).
CREATE TABLE alert_settings (
  id          integer PRIMARY KEY CHECK (id = 1),
  notify      jsonb NOT NULL,
  updated_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
