-- The hash of the whole request that took a comment with an Idempotency-Key (every field,
-- canonically serialised), so that the same key with a different request is refused.
-- NULL for comments taken without a key, and for those taken before this column.
ALTER TABLE comments ADD COLUMN request_fingerprint TEXT;
