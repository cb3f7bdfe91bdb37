-- Counts changes to tickets and transcripts: the panel keeps a rendered ticket-list page until
-- this moves. Triggers keep it, so writes by a bot in another process count too.
CREATE TABLE panel_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO panel_version (id, version) VALUES (1, 0);

CREATE TRIGGER tickets_insert_panel_version AFTER INSERT ON tickets
BEGIN UPDATE panel_version SET version = version + 1; END;
CREATE TRIGGER tickets_update_panel_version AFTER UPDATE ON tickets
BEGIN UPDATE panel_version SET version = version + 1; END;
CREATE TRIGGER tickets_delete_panel_version AFTER DELETE ON tickets
BEGIN UPDATE panel_version SET version = version + 1; END;
CREATE TRIGGER transcripts_insert_panel_version AFTER INSERT ON transcripts
BEGIN UPDATE panel_version SET version = version + 1; END;
CREATE TRIGGER transcripts_update_panel_version AFTER UPDATE ON transcripts
BEGIN UPDATE panel_version SET version = version + 1; END;
CREATE TRIGGER transcripts_delete_panel_version AFTER DELETE ON transcripts
BEGIN UPDATE panel_version SET version = version + 1; END;
