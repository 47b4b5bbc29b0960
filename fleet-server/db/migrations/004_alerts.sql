-- Alerts raised by rules over the fleet's latest state (see fleet-server/server/src/alerts/).

-- A condition that holds but has not lasted long enough to raise (hysteresis on the way up).
CREATE TABLE alert_conditions (
  rule       text NOT NULL,
  kiosk_id   text NOT NULL,
  device_id  text NOT NULL DEFAULT '',
  since      timestamptz NOT NULL,
  PRIMARY KEY (rule, kiosk_id, device_id)
);

CREATE TABLE alerts (
  id               bigserial PRIMARY KEY,
  rule             text NOT NULL,
  kiosk_id         text NOT NULL,
  device_id        text NOT NULL DEFAULT '',
  severity         text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  -- active: the condition holds; cleared: it stopped holding but the rule is latched and nobody
  -- acknowledged it yet; resolved: over.
  state            text NOT NULL CHECK (state IN ('active', 'cleared', 'resolved')),
  latched          boolean NOT NULL,
  message          text NOT NULL,
  department       text,
  site_id          text,
  raised_at        timestamptz NOT NULL,
  -- When the condition stopped holding (hysteresis on the way down), null while it holds.
  clear_since      timestamptz,
  cleared_at       timestamptz,
  resolved_at      timestamptz,
  acknowledged_by  text,
  acknowledged_at  timestamptz,
  assigned_to      text,
  notifications    jsonb NOT NULL DEFAULT '[]'
);
-- Dedup: at most one open alert per rule, kiosk and device.
CREATE UNIQUE INDEX alerts_open_idx ON alerts (rule, kiosk_id, device_id) WHERE state <> 'resolved';
CREATE INDEX alerts_kiosk_idx ON alerts (kiosk_id, raised_at DESC);
CREATE INDEX alerts_state_idx ON alerts (state, raised_at DESC);
