DROP TABLE extractions;
DROP TABLE verifications;
DROP TABLE renditions;
