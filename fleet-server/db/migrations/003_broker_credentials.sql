-- Broker security: one MQTT credential per kiosk (user name = kiosk id) and one-time enrolment tokens.
-- Only hashes are stored, never a clear password or token.

-- The hash is in Mosquitto's own password-file format, `$7$<iterations>$<salt>$<hash>` (PBKDF2-SHA512):
-- the embedded broker verifies it and `fleet-server mosquitto-config` copies it into Mosquitto's file.
CREATE TABLE kiosk_credentials (
  kiosk_id       text PRIMARY KEY,
  password_hash  text NOT NULL CHECK (password_hash LIKE '$7$%'),
  issued_at      timestamptz NOT NULL DEFAULT now(),
  -- The enrolment token the credential was issued for (NULL when set another way).
  enrolment_id   text
);

CREATE TABLE enrolment_tokens (
  id          text PRIMARY KEY,
  kiosk_id    text NOT NULL,
  -- SHA-256 of the token (256 random bits, so a fast hash is enough).
  token_hash  text NOT NULL UNIQUE,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX enrolment_tokens_kiosk_idx ON enrolment_tokens (kiosk_id);
