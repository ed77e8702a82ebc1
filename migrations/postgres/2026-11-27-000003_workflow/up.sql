-- Drafting to promulgation: consultations, public comments, appraisals, numbering.
CREATE TABLE consultations (
    id TEXT PRIMARY KEY NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    version_id TEXT NOT NULL REFERENCES versions(id),
    opens_on DATE NOT NULL,
    closes_on DATE NOT NULL,
    closed_at TIMESTAMP,
    created_by TEXT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX consultations_document ON consultations(document_id);

CREATE TABLE comments (
    id TEXT PRIMARY KEY NOT NULL,
    consultation_id TEXT NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    tracking_code TEXT NOT NULL UNIQUE,
    idempotency_key TEXT,
    author_name TEXT NOT NULL,
    author_email TEXT,
    organisation TEXT,
    provision_path TEXT,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    moderation_reason TEXT,
    moderated_by TEXT REFERENCES users(id),
    moderated_at TIMESTAMP,
    disposition TEXT,
    response TEXT,
    disposed_by TEXT REFERENCES users(id),
    disposed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    row_version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (consultation_id, idempotency_key)
);
CREATE INDEX comments_consultation ON comments(consultation_id, created_at);

CREATE TABLE appraisals (
    id TEXT PRIMARY KEY NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    version_id TEXT NOT NULL REFERENCES versions(id),
    opinion TEXT NOT NULL,
    findings TEXT,
    appraiser_id TEXT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX appraisals_document ON appraisals(document_id, created_at);

-- The last number given per issuer, kind and year: signing takes the row lock, so
-- numbers have no gaps and no duplicates under concurrent signing.
CREATE TABLE number_sequences (
    issuer_id TEXT NOT NULL REFERENCES org_units(id),
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (issuer_id, kind, year)
);
