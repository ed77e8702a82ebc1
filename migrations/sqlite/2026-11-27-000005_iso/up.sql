-- ISO 9001 document control (clause 7.5). A quality document is a `documents` row whose
-- kind starts with `iso_`; its revisions are its `versions`. What only document control
-- needs lives beside them, keyed by the same ids, so that legal documents and the
-- queries that serve them are untouched.

-- Control metadata of a quality document.
CREATE TABLE iso_documents (
    document_id TEXT PRIMARY KEY NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    owner_unit_id TEXT NOT NULL REFERENCES org_units(id),
    review_period_months INTEGER NOT NULL,
    -- NULL: kept permanently.
    retention_years INTEGER,
    next_review_on DATE,
    last_reviewed_on DATE,
    -- A form belongs to the procedure that uses it.
    parent_id TEXT REFERENCES documents(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    row_version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX iso_documents_owner ON iso_documents(owner_unit_id);
CREATE INDEX iso_documents_parent ON iso_documents(parent_id);

-- Who receives a controlled copy of each issued revision: an org unit or a person.
CREATE TABLE iso_distribution (
    id TEXT PRIMARY KEY NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    recipient_unit_id TEXT REFERENCES org_units(id),
    recipient_user_id TEXT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    CHECK ((recipient_unit_id IS NULL) <> (recipient_user_id IS NULL))
);
CREATE INDEX iso_distribution_document ON iso_distribution(document_id, ord);

-- The control state of each revision (one row per version of a quality document).
CREATE TABLE iso_revisions (
    version_id TEXT PRIMARY KEY NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    -- "Lần ban hành 03" is revision_no 3, assigned when issued.
    revision_no INTEGER,
    submitted_at TIMESTAMP,
    issued_at TIMESTAMP,
    issued_by TEXT REFERENCES users(id),
    effective_from DATE,
    superseded_at TIMESTAMP,
    -- The version that replaced it (no foreign key: both go together when a document is deleted).
    superseded_by TEXT,
    withdrawn_at TIMESTAMP,
    withdrawn_by TEXT REFERENCES users(id),
    withdrawal_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    row_version INTEGER NOT NULL DEFAULT 1
);
-- Never two current revisions of one document, whatever the code above does.
CREATE UNIQUE INDEX iso_revisions_one_current ON iso_revisions(document_id) WHERE state = 'current';
CREATE UNIQUE INDEX iso_revisions_number ON iso_revisions(document_id, revision_no);

CREATE TABLE iso_review_comments (
    id TEXT PRIMARY KEY NOT NULL,
    version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    author_id TEXT REFERENCES users(id),
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX iso_review_comments_version ON iso_review_comments(version_id, created_at);

-- Phiếu yêu cầu sửa đổi tài liệu.
CREATE TABLE iso_change_requests (
    id TEXT PRIMARY KEY NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    origin TEXT NOT NULL,
    reason TEXT NOT NULL,
    proposed_change TEXT,
    state TEXT NOT NULL,
    raised_by TEXT REFERENCES users(id),
    raised_at TIMESTAMP NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_at TIMESTAMP,
    decision_note TEXT,
    -- The revision draft an accepted request opened.
    revision_version_id TEXT REFERENCES versions(id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL,
    row_version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (document_id, seq)
);
CREATE INDEX iso_change_requests_state ON iso_change_requests(state, document_id);

-- Numbered controlled copies (bản sao kiểm soát) of an issued revision.
CREATE TABLE iso_controlled_copies (
    id TEXT PRIMARY KEY NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    copy_no INTEGER NOT NULL,
    recipient_unit_id TEXT REFERENCES org_units(id),
    recipient_user_id TEXT REFERENCES users(id),
    -- As printed on the copy, kept even if the unit or account is renamed later.
    recipient_name TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    issued_by TEXT REFERENCES users(id),
    recall_requested_at TIMESTAMP,
    withdrawn_at TIMESTAMP,
    withdrawal_confirmed_by TEXT REFERENCES users(id),
    row_version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (version_id, copy_no)
);
CREATE INDEX iso_controlled_copies_document ON iso_controlled_copies(document_id, version_id);

-- Read and understood (xác nhận đã đọc), once per person and revision.
CREATE TABLE iso_acknowledgements (
    id TEXT PRIMARY KEY NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id),
    acknowledged_at TIMESTAMP NOT NULL,
    UNIQUE (version_id, user_id)
);

-- Quality documents and versions that exist already come under control: owned by their
-- issuer, reviewed yearly; an approved version waits to be issued, the others are drafts.
INSERT INTO iso_documents (document_id, owner_unit_id, review_period_months, retention_years,
                           next_review_on, last_reviewed_on, parent_id, created_at, updated_at, row_version)
SELECT id, issuer_id, 12, NULL, NULL, NULL, NULL, created_at, updated_at, 1
FROM documents
WHERE kind LIKE 'iso\_%' ESCAPE '\' AND issuer_id IS NOT NULL;

INSERT INTO iso_revisions (version_id, document_id, state, revision_no, submitted_at, issued_at,
                           issued_by, effective_from, superseded_at, superseded_by, withdrawn_at,
                           withdrawn_by, withdrawal_reason, created_at, updated_at, row_version)
SELECT v.id, v.document_id, CASE WHEN v.approved_at IS NULL THEN 'draft' ELSE 'approved' END,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, v.created_at, v.created_at, 1
FROM versions v JOIN iso_documents i ON i.document_id = v.document_id;
