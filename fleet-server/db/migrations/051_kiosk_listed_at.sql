-- When something the kiosk list filters or sorts on last changed for a kiosk (its state, or what its
-- birth says: type, department, site, app version), by the database's clock. Each replica's kiosk
-- directory (kiosks/kiosk-directories.ts) reads only the kiosks changed since it last looked, instead
-- of all 20,000 every second. No index: an indexed column would make every state change a non-HOT
-- update, and the look is one sequential scan of the narrow table a second.
ALTER TABLE kiosks ADD COLUMN listed_at timestamptz NOT NULL DEFAULT now();
