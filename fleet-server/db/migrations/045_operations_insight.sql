-- Availability reports (README "HTTP API", docs/operations.md "Availability reports"): the health
-- snapshots of each citizen service taken while the kiosk's site was open (its opening hours, the
-- fleet's holidays and 调休 workdays, its own closures; the fleet default for a site without hours),
-- per site day (Asia/Shanghai). Ingest adds to it in the transaction that stores the snapshots
-- (services/availability-rollup.ts), like service_availability_daily (030). A report divides
-- `available` by the snapshots the kiosk should have sent in those hours, so time offline counts as
-- unusable. Figures start with this upgrade: stored history is not rolled up again.
CREATE TABLE service_availability_open_daily (
  kiosk_id    text NOT NULL,
  day         date NOT NULL,
  service_id  text NOT NULL,
  snapshots   integer NOT NULL CHECK (snapshots >= 0),
  available   integer NOT NULL CHECK (available >= 0 AND available <= snapshots),
  PRIMARY KEY (kiosk_id, day, service_id)
) WITH (fillfactor = 80);
