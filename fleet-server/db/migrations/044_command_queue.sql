-- Remote help (#16 part 6): commands to an offline kiosk wait here until it returns.
-- status: queued -> sent -> ok | error | timeout, or queued -> expired. A queued row is claimed by
-- one replica only (UPDATE ... WHERE status = 'queued'), so it runs once however many replicas see
-- the kiosk's birth.
ALTER TABLE commands ADD COLUMN params jsonb;
ALTER TABLE commands ADD COLUMN queued boolean NOT NULL DEFAULT false;
ALTER TABLE commands ADD COLUMN sent_at timestamptz;
-- A command to a whole site or list of kiosks: one batch, one row per kiosk.
ALTER TABLE commands ADD COLUMN batch_id text;
ALTER TABLE commands ADD COLUMN requested_by text;
CREATE INDEX commands_queued_idx ON commands (kiosk_id, requested_at) WHERE status = 'queued';
CREATE INDEX commands_batch_idx ON commands (batch_id) WHERE batch_id IS NOT NULL;
