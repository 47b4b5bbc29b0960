-- The services roll-up (030, 045) wrote one row per kiosk, site day and service into each of
-- service_availability_daily and service_availability_open_daily: 30 row upserts for every health
-- message of a kiosk offering 15 services, and 9 million rows for 30 days of 20,000 kiosks. A kiosk's
-- snapshots within a day are nearly always alike (the same services, the same ones unavailable), so
-- they are now counted per kind: one row per kiosk, site day and kind of snapshot, normally one a day,
-- a few more on a day a department's gateway failed. `signature` names the kind: a digest of the two
-- lists (services/availability-rollup.ts). `open_snapshots` counts those of the snapshots taken while
-- the kiosk's site was open (opening hours, holidays, closures; what 045's table counted).
CREATE TABLE service_snapshots_daily (
  kiosk_id        text NOT NULL,
  day             date NOT NULL,
  signature       text NOT NULL,
  services        text[] NOT NULL,
  unavailable     text[] NOT NULL,
  snapshots       integer NOT NULL CHECK (snapshots >= 0),
  open_snapshots  integer NOT NULL CHECK (open_snapshots >= 0 AND open_snapshots <= snapshots),
  PRIMARY KEY (kiosk_id, day, signature)
) WITH (fillfactor = 80);

-- The figures already rolled up, kept exactly: each old row becomes kinds of one service each, one
-- for its available snapshots and one for the others; the open counts join the same kinds. Open
-- snapshots are a part of all snapshots (045's table started later, so never more).
INSERT INTO service_snapshots_daily (kiosk_id, day, signature, services, unavailable, snapshots, open_snapshots)
SELECT kiosk_id, day, 'before-050 ' || state || ' ' || service_id, ARRAY[service_id],
       CASE WHEN state = 'down' THEN ARRAY[service_id] ELSE '{}'::text[] END,
       greatest(sum(n), sum(open_n)), sum(open_n)
FROM (
  SELECT kiosk_id, day, service_id, 'up' AS state, available AS n, 0 AS open_n FROM service_availability_daily
  UNION ALL
  SELECT kiosk_id, day, service_id, 'down', snapshots - available, 0 FROM service_availability_daily
  UNION ALL
  SELECT kiosk_id, day, service_id, 'up', 0, available FROM service_availability_open_daily
  UNION ALL
  SELECT kiosk_id, day, service_id, 'down', 0, snapshots - available FROM service_availability_open_daily
) AS r
GROUP BY kiosk_id, day, service_id, state
HAVING sum(n) > 0 OR sum(open_n) > 0;

DROP TABLE service_availability_daily;
DROP TABLE service_availability_open_daily;

-- What the readers (services page, availability reports) read: per kiosk, site day, kind and service,
-- its snapshots and the available ones of them, all day and in opening hours. A kiosk, day and
-- service has one row per kind: readers sum. No grouping here, so the planner keeps a reader's
-- filters (scope, days, service) on the table's own rows.
CREATE VIEW service_availability_daily AS
SELECT d.kiosk_id, d.day, s.service_id, d.snapshots,
       CASE WHEN s.service_id = ANY (d.unavailable) THEN 0 ELSE d.snapshots END AS available
FROM service_snapshots_daily d CROSS JOIN LATERAL unnest(d.services) AS s(service_id);

CREATE VIEW service_availability_open_daily AS
SELECT d.kiosk_id, d.day, s.service_id, d.open_snapshots AS snapshots,
       CASE WHEN s.service_id = ANY (d.unavailable) THEN 0 ELSE d.open_snapshots END AS available
FROM service_snapshots_daily d CROSS JOIN LATERAL unnest(d.services) AS s(service_id)
WHERE d.open_snapshots > 0;
