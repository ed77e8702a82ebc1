DROP TABLE iso_acknowledgements;
DROP TABLE iso_controlled_copies;
DROP TABLE iso_change_requests;
DROP TABLE iso_review_comments;
DROP TABLE iso_revisions;
DROP TABLE iso_distribution;
DROP TABLE iso_documents;
