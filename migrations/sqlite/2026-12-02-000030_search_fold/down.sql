DROP TRIGGER tickets_name_search_update;
DROP TRIGGER tickets_name_search_update_before;
DROP TRIGGER tickets_name_search_delete;
DROP TRIGGER tickets_name_search_insert;
DROP TABLE tickets_name_search;
DROP VIEW tickets_search_text;
DROP TRIGGER messages_search_update;
DROP TRIGGER messages_search_update_before;
DROP TRIGGER messages_search_delete;
DROP TRIGGER messages_search_insert;
DROP TABLE messages_search;
DROP VIEW messages_search_text;

-- The indexes as 2026-12-01-000001_message_search and 000004_opener_name_search made them.
CREATE VIRTUAL TABLE messages_search USING fts5(
    content,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO messages_search (messages_search) VALUES ('rebuild');

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_search (rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_search (messages_search, rowid, content)
        VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER messages_search_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_search (messages_search, rowid, content)
        VALUES ('delete', old.id, old.content);
    INSERT INTO messages_search (rowid, content) VALUES (new.id, new.content);
END;
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
