-- The services page (README "HTTP API", docs/operations.md "Services page"): how many health snapshots
-- listed each citizen service and in how many it was available, per site day (Asia/Shanghai). Ingest
-- adds to both tables in the transaction that stores the snapshots (services/availability-rollup.ts),
-- so 30 days are read from these rows instead of the kiosks' 2,880 snapshots a day.

-- Per kiosk: the figures of site and vendor users' scopes, and each kiosk's own share. Only the
-- counters change on update and no index covers them, so updates stay HOT (fillfactor).
CREATE TABLE service_availability_daily (
  kiosk_id    text NOT NULL,
  day         date NOT NULL,
  service_id  text NOT NULL,
  snapshots   integer NOT NULL CHECK (snapshots >= 0),
  available   integer NOT NULL CHECK (available >= 0 AND available <= snapshots),
  PRIMARY KEY (kiosk_id, day, service_id)
) WITH (fillfactor = 80);

-- Per department of the kiosk when it reported ('' for a kiosk without a birth): the whole fleet
-- (admins, auditors) and department users read a few thousand rows here instead of millions above.
CREATE TABLE service_availability_department_daily (
  department  text NOT NULL,
  day         date NOT NULL,
  service_id  text NOT NULL,
  snapshots   bigint NOT NULL CHECK (snapshots >= 0),
  available   bigint NOT NULL CHECK (available >= 0 AND available <= snapshots),
  PRIMARY KEY (department, day, service_id)
) WITH (fillfactor = 80);

-- History already stored is rolled up once when there is little of it (a demo, a small fleet: at most
-- 2,000,000 snapshots, about a minute). Beyond that the figures start with this upgrade, rather than
-- every replica's start waiting hours for the migration.
DO $$
BEGIN
  IF (SELECT count(*) FROM (SELECT 1 FROM health_history LIMIT 2000001) AS h) <= 2000000 THEN
    INSERT INTO service_availability_daily (kiosk_id, day, service_id, snapshots, available)
    SELECT h.kiosk_id, ((h.ts AT TIME ZONE 'UTC') + interval '8 hours')::date, s ->> 'serviceId',
           count(*), count(*) FILTER (WHERE (s ->> 'available')::boolean)
    FROM health_history h CROSS JOIN LATERAL jsonb_array_elements(h.body -> 'services') AS s
    GROUP BY 1, 2, 3;
    INSERT INTO service_availability_department_daily (department, day, service_id, snapshots, available)
    SELECT coalesce(k.department, ''), d.day, d.service_id, sum(d.snapshots), sum(d.available)
    FROM service_availability_daily d JOIN kiosks k ON k.id = d.kiosk_id
    GROUP BY 1, 2, 3;
  END IF;
END $$;
