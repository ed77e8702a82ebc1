-- When a draft went to the justice office for appraisal, and the day the opinion is due
-- (counted in days or working days as configured); answered when the opinion is recorded.
CREATE TABLE appraisal_requests (
    id TEXT PRIMARY KEY NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    requested_on DATE NOT NULL,
    due_on DATE NOT NULL,
    requested_by TEXT REFERENCES users(id),
    appraisal_id TEXT REFERENCES appraisals(id) ON DELETE SET NULL,
    answered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX appraisal_requests_document ON appraisal_requests(document_id);
CREATE INDEX appraisal_requests_open ON appraisal_requests(due_on) WHERE answered_at IS NULL;
