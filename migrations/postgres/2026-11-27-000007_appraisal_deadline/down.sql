DROP TABLE appraisal_requests;
