-- NATS (the clustered engine, docs/scale.md) verifies MQTT passwords against plaintext or bcrypt
-- only, not Mosquitto's `$7$` PBKDF2. A credential issued from now on also stores a bcrypt hash of the
-- same password, which `fleet-server nats-config` copies into NATS's `authorization { users }`.
-- Credentials issued before this have none (NULL): the password is not known any more, so such a
-- kiosk is left out of the NATS users until it is enrolled again; the command names them.
ALTER TABLE kiosk_credentials
  ADD COLUMN bcrypt_hash text CHECK (bcrypt_hash IS NULL OR bcrypt_hash ~ '^\$2[aby]\$[0-9]{2}\$');
