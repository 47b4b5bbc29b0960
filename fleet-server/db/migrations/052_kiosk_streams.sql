-- Which of each kiosk's sequence numbers reached the fleet, when ingest is split across replicas
-- (a shared MQTT subscription or a JetStream consumer): every replica adds what it commits, in the
-- same transaction, so the ledger is the whole stream whichever replica took each message
-- (ingest/stream-ledger.ts). `seen` is normally one range; a gap between its ranges is a hole, and a
-- hole still open after the grace period is counted missing and closed. `floor` is the first number
-- counted (the first live message): older numbers (a retained replay, a kiosk whose counter was
-- reset) are not holes.
CREATE TABLE kiosk_streams (
  kiosk_id text PRIMARY KEY,
  seen     int8multirange NOT NULL,
  floor    bigint
);
