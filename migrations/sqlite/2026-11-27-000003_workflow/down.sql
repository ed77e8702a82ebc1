DROP TABLE number_sequences;
DROP TABLE appraisals;
DROP TABLE comments;
DROP TABLE consultations;
