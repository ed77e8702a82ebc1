-- A session is a refresh-token family; `kind` says whether its tokens are the API's
-- refresh tokens (rotated on each use) or a web page session (one cookie, sliding idle
-- expiry, an absolute limit from its start). Each kind is only accepted where it belongs.
ALTER TABLE refresh_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'api';
