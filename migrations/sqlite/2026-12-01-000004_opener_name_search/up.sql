-- A trigram index over opener names, so a search for a name (any part of it, 3 characters or
-- more) reads the index instead of every ticket. External content: names stay in `tickets`.
CREATE VIRTUAL TABLE tickets_name_search USING fts5(
    opener_name,
    content = 'tickets',
    content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO tickets_name_search (tickets_name_search) VALUES ('rebuild');

CREATE TRIGGER tickets_name_search_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_name_search (rowid, opener_name) VALUES (new.id, new.opener_name);
END;
CREATE TRIGGER tickets_name_search_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_name_search (tickets_name_search, rowid, opener_name)
        VALUES ('delete', old.id, old.opener_name);
END;
CREATE TRIGGER tickets_name_search_update AFTER UPDATE OF opener_name ON tickets BEGIN
    INSERT INTO tickets_name_search (tickets_name_search, rowid, opener_name)
        VALUES ('delete', old.id, old.opener_name);
    INSERT INTO tickets_name_search (rowid, opener_name) VALUES (new.id, new.opener_name);
END;
