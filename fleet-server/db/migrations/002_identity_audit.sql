-- Who may see and do what (roles of shared/design.md), and the append-only audit log.

CREATE TABLE users (
  id             text PRIMARY KEY,
  display_name   text NOT NULL,
  password_hash  text NOT NULL,
  role           text NOT NULL CHECK (role IN ('admin', 'department', 'site', 'vendor', 'auditor')),
  -- Scope: a department user sees its departments' kiosks, a site user its sites', a vendor its models'.
  departments    text[] NOT NULL DEFAULT '{}',
  sites          text[] NOT NULL DEFAULT '{}',
  vendors        text[] NOT NULL DEFAULT '{}',
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- Only hashes of session and API tokens are stored.
CREATE TABLE sessions (
  token_hash  text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  ip          text
);

CREATE TABLE api_tokens (
  id            text PRIMARY KEY,
  token_hash    text NOT NULL UNIQUE,
  user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name          text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz,
  last_used_at  timestamptz
);

-- Every write and every remote command. Each row's hash covers its content and the previous row's
-- hash, so an edited, removed or reordered row breaks the chain (`fleetctl audit verify`).
CREATE TABLE audit_log (
  seq        bigint PRIMARY KEY,
  ts         timestamptz NOT NULL,
  actor      text NOT NULL,
  role       text,
  ip         text,
  action     text NOT NULL,
  target     text,
  outcome    text NOT NULL,
  details    jsonb NOT NULL DEFAULT '{}',
  prev_hash  text NOT NULL,
  hash       text NOT NULL
);
CREATE INDEX audit_log_ts_idx ON audit_log (ts DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
