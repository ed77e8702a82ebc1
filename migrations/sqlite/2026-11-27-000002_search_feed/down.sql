DROP INDEX audit_document_feed;
