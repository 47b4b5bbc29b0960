-- Which fleet-server replica holds which broker session (MQTT client id) of the ingest, so a
-- replica that stopped or died is taken over by a live one and its queued messages never strand.
CREATE TABLE IF NOT EXISTS ingest_sessions (
  client_id    text PRIMARY KEY,
  username     text,
  owner        text NOT NULL,
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);
