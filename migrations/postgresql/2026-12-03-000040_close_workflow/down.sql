DROP TABLE ratings;
DROP TABLE close_requests;
ALTER TABLE tickets DROP COLUMN close_reason;
