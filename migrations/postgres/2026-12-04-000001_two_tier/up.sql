-- Two-tier local government and the law a draft is made under.
-- An org unit's tier (province, district for the past, commune) and its life; existing
-- units take their tier from their kind (a district's council, committee and agencies are
-- of the district tier; bodies outside have none).
ALTER TABLE org_units ADD COLUMN level TEXT;
ALTER TABLE org_units ADD COLUMN established_on DATE;
ALTER TABLE org_units ADD COLUMN abolished_on DATE;
UPDATE org_units SET level = CASE kind
    WHEN 'province' THEN 'province'
    WHEN 'commune' THEN 'commune'
    WHEN 'external_body' THEN NULL
    ELSE 'district' END;

-- The regime a draft follows (the one in force when its drafting began), and the unit that
-- holds a document after a reorganisation (NULL: its issuer).
ALTER TABLE documents ADD COLUMN legal_regime TEXT;
ALTER TABLE documents ADD COLUMN holder_id TEXT REFERENCES org_units(id);
UPDATE documents SET legal_regime = CASE WHEN created_at >= '2025-04-01' THEN 'law_64_2025' ELSE 'law_80_2015' END
    WHERE external = FALSE AND kind NOT LIKE 'iso_%'
      AND state IN ('drafting', 'consultation', 'revising', 'appraisal', 'submitted', 'signed');
CREATE INDEX documents_holder ON documents (holder_id);

-- A reorganisation (sắp xếp đơn vị hành chính): units abolished on a date, their
-- successors, and which successor inherits each document.
CREATE TABLE reorganisations (
    id TEXT PRIMARY KEY NOT NULL,
    effective_on DATE NOT NULL,
    basis TEXT NOT NULL,
    note TEXT,
    created_by TEXT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE reorganisation_units (
    reorganisation_id TEXT NOT NULL REFERENCES reorganisations(id) ON DELETE CASCADE,
    unit_id TEXT NOT NULL REFERENCES org_units(id),
    role TEXT NOT NULL,
    PRIMARY KEY (reorganisation_id, unit_id)
);

CREATE TABLE inheritances (
    reorganisation_id TEXT NOT NULL REFERENCES reorganisations(id) ON DELETE CASCADE,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    from_unit_id TEXT NOT NULL REFERENCES org_units(id),
    to_unit_id TEXT NOT NULL REFERENCES org_units(id),
    campaign_id TEXT REFERENCES review_campaigns(id),
    PRIMARY KEY (reorganisation_id, document_id)
);
CREATE INDEX inheritances_document ON inheritances (document_id);
