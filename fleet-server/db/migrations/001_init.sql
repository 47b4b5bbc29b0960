-- Fleet state: latest per kiosk and per peripheral, plus history. One dialect for PGlite and PostgreSQL.
-- No personal data is ever stored here: payloads are validated against closed schemas before they arrive.

CREATE TABLE sites (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  kind        text NOT NULL,
  city        text NOT NULL,
  county      text NOT NULL,
  town        text NOT NULL,
  latitude    double precision,
  longitude   double precision,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE kiosks (
  id                  text PRIMARY KEY,
  machine_type        text,
  department          text,
  site_id             text REFERENCES sites (id),
  app_version         text,
  health_interval_ms  integer,
  state               text NOT NULL DEFAULT 'unknown',
  state_session       bigint NOT NULL DEFAULT 0,
  state_changed_at    timestamptz,
  last_seen_at        timestamptz,
  birth_seq           bigint NOT NULL DEFAULT 0,
  birth_at            timestamptz,
  health_seq          bigint NOT NULL DEFAULT 0,
  last_health         jsonb,
  last_health_at      timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kiosks_site_idx ON kiosks (site_id);
CREATE INDEX kiosks_state_idx ON kiosks (state);

CREATE TABLE peripherals (
  kiosk_id          text NOT NULL REFERENCES kiosks (id) ON DELETE CASCADE,
  device_id         text NOT NULL,
  device_class      text,
  vendor            text,
  model             text,
  serial            text,
  firmware          text,
  status            jsonb,
  status_seq        bigint NOT NULL DEFAULT 0,
  status_changed_at timestamptz,
  counters          jsonb,
  PRIMARY KEY (kiosk_id, device_id)
);

-- History is idempotent on (kiosk_id, seq): an outbox resend or a QoS 1 duplicate inserts nothing.
CREATE TABLE health_history (
  kiosk_id     text NOT NULL,
  seq          bigint NOT NULL,
  ts           timestamptz NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  body         jsonb NOT NULL,
  PRIMARY KEY (kiosk_id, seq)
);
CREATE INDEX health_history_ts_idx ON health_history (kiosk_id, ts DESC);

CREATE TABLE kiosk_events (
  kiosk_id     text NOT NULL,
  seq          bigint NOT NULL,
  ts           timestamptz NOT NULL,
  type         text NOT NULL,
  device_id    text,
  body         jsonb NOT NULL,
  PRIMARY KEY (kiosk_id, seq)
);
CREATE INDEX kiosk_events_ts_idx ON kiosk_events (kiosk_id, ts DESC);

CREATE TABLE presence_history (
  kiosk_id  text NOT NULL,
  session   bigint NOT NULL,
  state     text NOT NULL,
  reason    text,
  ts        timestamptz NOT NULL
);
CREATE INDEX presence_history_idx ON presence_history (kiosk_id, ts DESC);

CREATE TABLE commands (
  transaction   text PRIMARY KEY,
  kiosk_id      text NOT NULL,
  command       text NOT NULL,
  requested_at  timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  status        text NOT NULL,
  response      jsonb,
  responded_at  timestamptz
);
CREATE INDEX commands_kiosk_idx ON commands (kiosk_id, requested_at DESC);
