-- Portable types: UUIDs and JSON as TEXT, timestamps UTC, dates as DATE (TEXT on SQLite).
CREATE TABLE org_units (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id TEXT REFERENCES org_units(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    row_version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    org_unit_id TEXT REFERENCES org_units(id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    row_version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);

CREATE TABLE documents (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    number TEXT,
    number_key TEXT,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    issuer_id TEXT REFERENCES org_units(id),
    field TEXT,
    signer TEXT,
    signed_on DATE,
    published_on DATE,
    effective_from DATE,
    effective_until DATE,
    state TEXT NOT NULL,
    external BOOLEAN NOT NULL DEFAULT FALSE,
    external_id TEXT UNIQUE,
    iso_code TEXT,
    iso_revision TEXT,
    ever_approved BOOLEAN NOT NULL DEFAULT FALSE,
    withdrawn_at TIMESTAMP,
    created_by TEXT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    row_version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX documents_number_key ON documents(number_key);
CREATE INDEX documents_list ON documents(created_at, id);
CREATE INDEX documents_issuer ON documents(issuer_id);
CREATE INDEX documents_kind ON documents(kind);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE versions (
    id TEXT PRIMARY KEY NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    label TEXT NOT NULL,
    body TEXT,
    blob_sha256 TEXT REFERENCES blobs(sha256),
    file_name TEXT,
    change_summary TEXT,
    author_id TEXT REFERENCES users(id),
    approved_at TIMESTAMP,
    approved_by TEXT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (document_id, seq)
);

CREATE TABLE provisions (
    id TEXT PRIMARY KEY NOT NULL,
    version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    depth INTEGER NOT NULL,
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    path TEXT NOT NULL,
    heading TEXT,
    body TEXT NOT NULL,
    external_id TEXT UNIQUE,
    UNIQUE (version_id, path)
);

CREATE TABLE relations (
    id TEXT PRIMARY KEY NOT NULL,
    source_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    target_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    effective_on DATE,
    effective_until DATE,
    note TEXT,
    created_by TEXT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (source_id, target_id, kind)
);
CREATE INDEX relations_target ON relations(target_id);

-- Append-only, hash-chained. audit_head holds the last sequence number and hash; every
-- append updates it first, which serialises concurrent writers on both backends.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    reason TEXT,
    details TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_log(entity_type, entity_id);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
