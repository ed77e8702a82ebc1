-- After promulgation: self-inspections, review flags, review campaigns and their items.

-- One self-inspection per promulgated document, due a configured number of (working)
-- days after its signing; the result is recorded once.
CREATE TABLE self_inspections (
    id TEXT PRIMARY KEY NOT NULL,
    document_id TEXT NOT NULL UNIQUE REFERENCES documents(id) ON DELETE CASCADE,
    started_on DATE NOT NULL,
    due_on DATE NOT NULL,
    state TEXT NOT NULL,
    result TEXT,
    findings TEXT,
    handling TEXT,
    opened_by TEXT REFERENCES users(id),
    opened_at TIMESTAMP NOT NULL,
    recorded_by TEXT REFERENCES users(id),
    recorded_at TIMESTAMP
);
CREATE INDEX self_inspections_due ON self_inspections(state, due_on);

-- A document to review, and why: its legal basis was amended, replaced, repealed or
-- suspended (the relation that did it), or its self-inspection asked for handling.
-- Resolving is one-way.
CREATE TABLE review_flags (
    id TEXT PRIMARY KEY NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    cause_kind TEXT NOT NULL,
    cause_document_id TEXT REFERENCES documents(id) ON DELETE SET NULL,
    cause_relation_id TEXT REFERENCES relations(id) ON DELETE SET NULL,
    cause_self_inspection_id TEXT REFERENCES self_inspections(id) ON DELETE CASCADE,
    action TEXT,
    detail TEXT NOT NULL,
    created_by TEXT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    resolved_by TEXT REFERENCES users(id),
    resolution TEXT
);
CREATE INDEX review_flags_document ON review_flags(document_id);
CREATE INDEX review_flags_open ON review_flags(resolved_at, created_at);

-- A review campaign over a set of documents chosen once, when it opens.
CREATE TABLE review_campaigns (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    selection TEXT NOT NULL,
    state TEXT NOT NULL,
    created_by TEXT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    closed_by TEXT REFERENCES users(id),
    close_reason TEXT
);

CREATE TABLE review_items (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES review_campaigns(id) ON DELETE CASCADE,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    assignee_id TEXT REFERENCES org_units(id),
    result TEXT,
    reasons TEXT,
    proposed_action TEXT,
    reviewed_by TEXT REFERENCES users(id),
    reviewed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    row_version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (campaign_id, document_id)
);
CREATE INDEX review_items_document ON review_items(document_id);
