-- A peripheral's hardware revision (from the kiosk's birth), so firmware compatibility can name the
-- revisions it fits and a rollout leaves the others out.
ALTER TABLE peripherals ADD COLUMN hw_revision text;
