ALTER TABLE tickets DROP COLUMN history_synced_id;
