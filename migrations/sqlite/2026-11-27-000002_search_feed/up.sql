-- The search index follows the audit log of documents, in sequence order.
CREATE INDEX audit_document_feed ON audit_log(entity_type, seq);
