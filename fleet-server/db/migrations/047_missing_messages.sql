-- Messages a kiosk numbered that never reached the fleet (ingest/seq-gaps.ts): counted per kiosk,
-- with when it last happened, for the `messagesMissing` alert (README "Alerts", docs/scale.md).
ALTER TABLE kiosks ADD COLUMN missing_messages bigint NOT NULL DEFAULT 0;
ALTER TABLE kiosks ADD COLUMN missing_at timestamptz;
