-- Lockout with exponential backoff for logins and kiosk enrolment (README "Hardening"). One row per
-- attacked key ('login:<user name>' or 'enrol:<kiosk id>', unknown names too, so an answer never
-- reveals which names exist). In the database, so a lock survives restarts and holds on every replica.
CREATE TABLE auth_throttle (
  key              text PRIMARY KEY,
  failures         integer NOT NULL DEFAULT 0,
  locked_until     timestamptz,
  last_failure_at  timestamptz NOT NULL DEFAULT now()
);

-- When a password last changed: sessions created before it are void.
ALTER TABLE users ADD COLUMN password_changed_at timestamptz NOT NULL DEFAULT now();

-- Restores from a backup (docs/operations.md): TUF roles the server signs are re-signed with
-- versions of at least `version_floor` when the server next starts (then `applied_at` is set),
-- and vendor roles must be re-signed at or above it, so kiosks that saw newer metadata accept them.
CREATE TABLE tuf_restores (
  id                 bigserial PRIMARY KEY,
  restored_at        timestamptz NOT NULL DEFAULT now(),
  backup_created_at  timestamptz NOT NULL,
  version_floor      bigint NOT NULL,
  applied_at         timestamptz
);
