-- The ticket list shows who each ticket waits on and its last activity, both read from the
-- newest message: a new message changes a list page, so it moves panel_version too.
CREATE TRIGGER messages_insert_panel_version AFTER INSERT ON messages
BEGIN UPDATE panel_version SET version = version + 1; END;

-- The ticket page lists the opener's other tickets.
CREATE INDEX tickets_opener ON tickets (opener_id, id);
