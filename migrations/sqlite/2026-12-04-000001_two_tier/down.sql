DROP TABLE inheritances;
DROP TABLE reorganisation_units;
DROP TABLE reorganisations;
DROP INDEX documents_holder;
ALTER TABLE documents DROP COLUMN holder_id;
ALTER TABLE documents DROP COLUMN legal_regime;
ALTER TABLE org_units DROP COLUMN abolished_on;
ALTER TABLE org_units DROP COLUMN established_on;
ALTER TABLE org_units DROP COLUMN level;
