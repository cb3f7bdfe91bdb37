-- Every message of the ticket's channel up to this Discord id is stored: where the next
-- channel-history catch-up starts (the newest stored message is no such position once a
-- newer message was stored before a catch-up finished).
ALTER TABLE tickets ADD COLUMN history_synced_id BIGINT;
