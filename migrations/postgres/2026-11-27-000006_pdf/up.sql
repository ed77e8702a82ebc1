-- PDF renditions of versions that have text but no PDF, keyed by the hash of what was
-- rendered; verification codes printed on every stamped copy; what extraction found
-- in an uploaded file.
CREATE TABLE renditions (
    source_hash TEXT PRIMARY KEY NOT NULL,
    blob_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE verifications (
    code TEXT PRIMARY KEY NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    stamp TEXT NOT NULL,
    recipient TEXT,
    copy_no INTEGER,
    source_sha256 TEXT NOT NULL,
    issued_by TEXT REFERENCES users(id),
    issued_at TIMESTAMP NOT NULL
);
CREATE INDEX verifications_version ON verifications(version_id);

CREATE TABLE extractions (
    version_id TEXT PRIMARY KEY NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    text_layer BOOLEAN NOT NULL,
    pages INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
