-- Departments publish their part of the citizen service catalogue through the update repository
-- (docs/updates.md "Service catalogues"): a `catalogue` artifact is one department's bundle
-- (`kiosk-catalogue-bundle/1`), signed by the department's own delegated TUF role
-- `department-<id>`, limited to `catalogue/<id>/*`, approved and rolled out like any artifact.

ALTER TABLE artifacts DROP CONSTRAINT artifacts_kind_check;
ALTER TABLE artifacts ADD CONSTRAINT artifacts_kind_check
  CHECK (kind IN ('app', 'firmware', 'config', 'catalogue'));
-- The department whose catalogue bundle it is: set for `catalogue`, and only for it.
ALTER TABLE artifacts ADD COLUMN department text;
ALTER TABLE artifacts ADD CONSTRAINT artifacts_catalogue_department
  CHECK ((kind = 'catalogue') = (department IS NOT NULL));

-- A department's delegated targets role: its public keys and threshold (private keys stay with it).
CREATE TABLE update_departments (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  public_keys jsonb NOT NULL,
  threshold   integer NOT NULL CHECK (threshold >= 1),
  created_at  timestamptz NOT NULL DEFAULT now()
);
