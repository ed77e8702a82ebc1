ALTER TABLE comments DROP COLUMN request_fingerprint;
