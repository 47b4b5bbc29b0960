-- Each kiosk's latest health report moves out of `kiosks` into its own table. The report (1–2 KB of
-- JSON) was rewritten into the kiosk's row by every health message: with 20,000 kiosks the table held
-- ~60 MB of live and dead wide rows, and every list, search, count, map and site-tree query scanned
-- all of it to read a few narrow columns. `kiosks` keeps what lists sort and filter on; the wide,
-- hot report is read only for the kiosks a page shows. Updates of both stay HOT (fillfactor).
CREATE TABLE kiosk_health (
  kiosk_id        text PRIMARY KEY REFERENCES kiosks (id) ON DELETE CASCADE,
  health_seq      bigint NOT NULL,
  last_health     jsonb NOT NULL,
  last_health_at  timestamptz
) WITH (fillfactor = 50);

INSERT INTO kiosk_health (kiosk_id, health_seq, last_health, last_health_at)
SELECT id, health_seq, last_health, last_health_at FROM kiosks WHERE last_health IS NOT NULL;

ALTER TABLE kiosks DROP COLUMN last_health, DROP COLUMN last_health_at, DROP COLUMN health_seq;
ALTER TABLE kiosks SET (fillfactor = 80);
