-- The ticket list shows who each ticket waits on and its last activity, both read from the
-- newest message: a new message changes a list page, so it moves panel_version too.
CREATE TRIGGER messages_panel_version AFTER INSERT ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION bump_panel_version();

-- The ticket page lists the opener's other tickets.
CREATE INDEX tickets_opener ON tickets (opener_id, id);
