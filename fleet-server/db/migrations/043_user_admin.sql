-- Admin screens (README "Users", "Audit log"): a password an admin reset is one-time, the user must
-- choose their own at the next login; the audit log is searched by actor, action, target and time.

ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

CREATE INDEX audit_log_actor_idx ON audit_log (actor, seq DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, seq DESC);
CREATE INDEX audit_log_target_idx ON audit_log (target, seq DESC);
