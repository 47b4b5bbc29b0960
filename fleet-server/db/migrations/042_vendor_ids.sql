-- One vendor id everywhere (protocol/src/vendor-id.ts): the lower-case slug the registry's model ids
-- start with, which is also the vendor's TUF role and a vendor user's scope. Kiosks report a display
-- vendor (`Xprinter (芯烨)`) and, for a registry model, its model id (`xprinter-xp-t58h`); ingest keeps
-- both and the vendor id derived from them, and vendor scope matches on the id.
ALTER TABLE peripherals ADD COLUMN model_id text;
ALTER TABLE peripherals ADD COLUMN vendor_id text;

-- Rows from before: the display vendor's slug (vendorIdOfName); the next birth sets both columns.
UPDATE peripherals
   SET vendor_id = nullif(lower(regexp_replace(regexp_replace(vendor, '\s*[(（].*$', ''), '[^A-Za-z0-9]', '', 'g')), '')
 WHERE vendor IS NOT NULL;

CREATE INDEX peripherals_vendor_idx ON peripherals (vendor_id, kiosk_id);

-- Vendor users scoped by display name (`Epson`) before: the same slug, so one scope uploads firmware
-- and sees the devices.
UPDATE users
   SET vendors = ARRAY(
         SELECT DISTINCT s FROM (
           SELECT lower(regexp_replace(regexp_replace(v, '\s*[(（].*$', ''), '[^A-Za-z0-9]', '', 'g')) AS s
             FROM unnest(vendors) AS v) AS slugs
          WHERE s <> '' ORDER BY s)
 WHERE cardinality(vendors) > 0;
