-- Signed updates: artifacts (kiosk releases, vendor firmware, device configuration), the TUF
-- metadata that signs them, department approvals, site calendars and staged rollouts.
-- See docs/updates.md for the flow and fleet-server/server/src/updates/ and .../rollouts/.

-- TUF metadata files (root history, targets, delegated vendor roles, snapshot, timestamp), so every
-- replica serves the same signed bytes. Written in publish order inside one transaction.
CREATE TABLE tuf_metadata (
  name        text PRIMARY KEY,
  body        text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A vendor's delegated targets role: its public keys and threshold (private keys stay with the vendor).
CREATE TABLE update_vendors (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  -- TUF public keys (JSON objects keyed by keyid) and the threshold of the delegated role.
  public_keys jsonb NOT NULL,
  threshold   integer NOT NULL CHECK (threshold >= 1),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE artifacts (
  id              text PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('app', 'firmware', 'config')),
  version         text NOT NULL,
  -- Vendor id for firmware and config; null for kiosk app releases (IT).
  vendor          text,
  -- Registry definition id of the device model (firmware and config), e.g. 'xprinter-xp-58iih'.
  device_model    text,
  device_class    text,
  target_path     text NOT NULL UNIQUE,
  sha256          text,
  length          bigint,
  -- {machineTypes: [...], hwRevisions: [...], minAppVersion: '1.2.0'}; empty arrays = any.
  compatibility   jsonb NOT NULL DEFAULT '{}',
  notes           text NOT NULL DEFAULT '',
  -- uploading → signing (vendor artifacts: bytes complete, waiting for the vendor's signatures over
  -- its delegated role) → ready (signed into TUF) | rejected (hash, schema or signature failed) | revoked.
  status          text NOT NULL CHECK (status IN ('uploading', 'signing', 'ready', 'rejected', 'revoked')),
  status_reason   text,
  uploaded_by     text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  ready_at        timestamptz,
  UNIQUE (kind, vendor, device_model, version)
);
CREATE INDEX artifacts_created_idx ON artifacts (created_at DESC);

-- Resumable upload sessions (tus-style offset): bytes land in a spool file until complete.
CREATE TABLE artifact_uploads (
  id              text PRIMARY KEY,
  artifact_id     text NOT NULL REFERENCES artifacts (id) ON DELETE CASCADE,
  total_length    bigint NOT NULL CHECK (total_length >= 0),
  received_length bigint NOT NULL DEFAULT 0,
  expected_sha256 text NOT NULL,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  completed_at    timestamptz
);

-- A department's go-ahead: no kiosk of that department is targeted with an artifact it has not approved.
CREATE TABLE artifact_approvals (
  artifact_id  text NOT NULL REFERENCES artifacts (id) ON DELETE CASCADE,
  department   text NOT NULL,
  approved_by  text NOT NULL,
  approved_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (artifact_id, department)
);

-- Fleet-wide calendar: public holidays and make-up workdays (调休), as published each year by the State Council.
CREATE TABLE calendar_days (
  day   date PRIMARY KEY,
  kind  text NOT NULL CHECK (kind IN ('holiday', 'workday')),
  name  text NOT NULL DEFAULT ''
);

-- A site's opening hours ({"1":[{"start":"09:00","end":"17:00"}], ...}, 0 = Sunday), its own closures,
-- and its maintenance windows. Sites without a row use the fleet's default hours.
CREATE TABLE site_schedules (
  site_id        text PRIMARY KEY,
  opening_hours  jsonb NOT NULL,
  windows        jsonb NOT NULL DEFAULT '[]',
  closed_days    date[] NOT NULL DEFAULT '{}',
  updated_by     text NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rollouts (
  id                 text PRIMARY KEY,
  name               text NOT NULL,
  artifact_id        text NOT NULL REFERENCES artifacts (id),
  -- {machineTypes, departments, sites, deviceModels, firmware, appVersions}: arrays, empty = any.
  target_filter      jsonb NOT NULL,
  -- [{"count": 2}, {"percent": 50}, {"percent": 100}]: group sizes in order.
  groups             jsonb NOT NULL,
  -- Fraction of a group that must succeed before the next group starts.
  success_threshold  double precision NOT NULL CHECK (success_threshold > 0 AND success_threshold <= 1),
  -- Fraction failed (of finished) that halts the rollout, once at least error_min_sample have finished.
  error_threshold    double precision NOT NULL CHECK (error_threshold >= 0 AND error_threshold <= 1),
  error_min_sample   integer NOT NULL CHECK (error_min_sample >= 1),
  install_mode       text NOT NULL CHECK (install_mode IN ('window', 'immediate')),
  kiosk_timeout_ms   bigint NOT NULL CHECK (kiosk_timeout_ms > 0),
  continuous         boolean NOT NULL DEFAULT false,
  -- draft → awaitingApproval → approved → running ⇄ paused → completed | halted | aborted
  status             text NOT NULL CHECK (status IN
                       ('awaitingApproval', 'approved', 'running', 'paused', 'completed', 'halted', 'aborted')),
  status_reason      text,
  current_group      integer NOT NULL DEFAULT 0,
  created_by         text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  approved_by        text,
  approved_at        timestamptz,
  started_at         timestamptz,
  finished_at        timestamptz,
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rollouts_status_idx ON rollouts (status);

-- One row per kiosk a rollout selected. `state` is the server's view; the kiosk's last report is kept too.
CREATE TABLE rollout_kiosks (
  rollout_id    text NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
  kiosk_id      text NOT NULL,
  group_index   integer NOT NULL,
  -- pending → notified → downloading → downloaded → installing → rebooting → verifying (reported
  -- success, waiting to see the new version healthy) → succeeded | failed | rolledBack | timedOut | cancelled
  state         text NOT NULL,
  progress      double precision,
  blocked_by    text[],
  error_code    text,
  attempts      integer NOT NULL DEFAULT 0,
  notified_at   timestamptz,
  reported_at   timestamptz,
  finished_at   timestamptz,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (rollout_id, kiosk_id)
);
CREATE INDEX rollout_kiosks_state_idx ON rollout_kiosks (rollout_id, group_index, state);
CREATE INDEX rollout_kiosks_kiosk_idx ON rollout_kiosks (kiosk_id);
