DROP TABLE review_items;
DROP TABLE review_campaigns;
DROP TABLE review_flags;
DROP TABLE self_inspections;
