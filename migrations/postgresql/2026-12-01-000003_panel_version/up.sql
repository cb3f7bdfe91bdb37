-- Counts changes to tickets and transcripts: the panel keeps a rendered ticket-list page until
-- this moves. Triggers keep it, so writes by a bot in another process count too.
CREATE TABLE panel_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO panel_version (id, version) VALUES (1, 0);

CREATE FUNCTION bump_panel_version() RETURNS trigger AS $$
BEGIN
    UPDATE panel_version SET version = version + 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER tickets_panel_version AFTER INSERT OR UPDATE OR DELETE ON tickets
    FOR EACH STATEMENT EXECUTE FUNCTION bump_panel_version();
CREATE TRIGGER transcripts_panel_version AFTER INSERT OR UPDATE OR DELETE ON transcripts
    FOR EACH STATEMENT EXECUTE FUNCTION bump_panel_version();
