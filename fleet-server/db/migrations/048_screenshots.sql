-- Remote help (#16 part 6 item 4): the latest screenshot of a kiosk's screen, kept briefly. Never
-- in the health history; each row expires (commands.screenshotKeepMs) and is pruned with it.
CREATE TABLE screenshots (
  kiosk_id text PRIMARY KEY,
  transaction text NOT NULL,
  taken_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  requested_by text,
  mime_type text NOT NULL,
  width integer NOT NULL,
  height integer NOT NULL,
  image bytea NOT NULL
);
CREATE INDEX screenshots_expiry_idx ON screenshots (expires_at);
