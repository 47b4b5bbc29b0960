-- Fleet views that scale (#16): the kiosk search's equality filters, the site tree's grouping and
-- the alert history's filters, each newest first, at tens of thousands of kiosks and their alerts.
CREATE INDEX kiosks_machine_type_idx ON kiosks (machine_type);
CREATE INDEX kiosks_department_idx ON kiosks (department);
CREATE INDEX kiosks_app_version_idx ON kiosks (app_version);
CREATE INDEX sites_county_town_idx ON sites (city, county, town);
CREATE INDEX peripherals_firmware_idx ON peripherals (firmware);
CREATE INDEX alerts_raised_idx ON alerts (raised_at DESC, id DESC);
CREATE INDEX alerts_site_idx ON alerts (site_id, raised_at DESC);
CREATE INDEX alerts_rule_idx ON alerts (rule, raised_at DESC);
