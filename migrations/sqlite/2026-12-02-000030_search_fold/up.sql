-- The search forgives spelling: `oetzi` finds "Ötzi", `strasse` "Straße", `yilmaz` "Yılmaz",
-- `Zoe` "Zoë". The indexes read folded texts from the views below: German umlauts and ß
-- written out (ä → ae), letters without a decomposition (ı, ø, ł, …) replaced; the tokenizers
-- then drop case and the remaining accents. src/web/search/fold.rs folds a search term with the
-- same table (a test compares both). The views are the single place of that fold: the triggers
-- read them, and 'rebuild' rebuilds from them. A text of printable ASCII only (most of them)
-- skips the replacements: the bot's message writes stay as fast as before (docs/benchmarks.md).
DROP TRIGGER messages_search_update;
DROP TRIGGER messages_search_delete;
DROP TRIGGER messages_search_insert;
DROP TABLE messages_search;
DROP TRIGGER tickets_name_search_update;
DROP TRIGGER tickets_name_search_delete;
DROP TRIGGER tickets_name_search_insert;
DROP TABLE tickets_name_search;

-- Messages: their text and the names of their attachments (messages.attachments holds
-- [{"filename", "url"}], at most 10 as Discord allows; anything else there indexes as no
-- names instead of failing a write). Not json_each: FTS5 reading a view built on it fails
-- ("no such table: main.json_each").
CREATE VIEW messages_search_text AS SELECT
    id,
    CASE WHEN content GLOB '*[^ -~]*' THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(content, 'ä', 'ae'), 'Ä', 'ae'), 'ö', 'oe'), 'Ö', 'oe'), 'ü', 'ue'), 'Ü', 'ue'), 'ß', 'ss'), 'ẞ', 'ss'), 'æ', 'ae'), 'Æ', 'ae'), 'œ', 'oe'), 'Œ', 'oe'), 'ø', 'o'), 'Ø', 'o'), 'ł', 'l'), 'Ł', 'l'), 'đ', 'd'), 'Đ', 'd'), 'ı', 'i'), 'İ', 'i'), 'þ', 'th'), 'Þ', 'th') ELSE content END AS content,
    CASE WHEN attachments <> '[]' AND json_valid(attachments) THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(concat_ws(' ',
            json_extract(attachments, '$[0].filename'),
            json_extract(attachments, '$[1].filename'),
            json_extract(attachments, '$[2].filename'),
            json_extract(attachments, '$[3].filename'),
            json_extract(attachments, '$[4].filename'),
            json_extract(attachments, '$[5].filename'),
            json_extract(attachments, '$[6].filename'),
            json_extract(attachments, '$[7].filename'),
            json_extract(attachments, '$[8].filename'),
            json_extract(attachments, '$[9].filename')
        ), 'ä', 'ae'), 'Ä', 'ae'), 'ö', 'oe'), 'Ö', 'oe'), 'ü', 'ue'), 'Ü', 'ue'), 'ß', 'ss'), 'ẞ', 'ss'), 'æ', 'ae'), 'Æ', 'ae'), 'œ', 'oe'), 'Œ', 'oe'), 'ø', 'o'), 'Ø', 'o'), 'ł', 'l'), 'Ł', 'l'), 'đ', 'd'), 'Đ', 'd'), 'ı', 'i'), 'İ', 'i'), 'þ', 'th'), 'Þ', 'th') ELSE '' END
        AS attachment_names
FROM messages;
CREATE VIRTUAL TABLE messages_search USING fts5(
    content,
    attachment_names,
    content = 'messages_search_text',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO messages_search (messages_search) VALUES ('rebuild');

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_search (rowid, content, attachment_names)
        SELECT id, content, attachment_names FROM messages_search_text WHERE id = new.id;
END;
CREATE TRIGGER messages_search_delete BEFORE DELETE ON messages BEGIN
    INSERT INTO messages_search (messages_search, rowid, content, attachment_names)
        SELECT 'delete', id, content, attachment_names FROM messages_search_text
        WHERE id = old.id;
END;
CREATE TRIGGER messages_search_update_before BEFORE UPDATE OF content, attachments ON messages
BEGIN
    INSERT INTO messages_search (messages_search, rowid, content, attachment_names)
        SELECT 'delete', id, content, attachment_names FROM messages_search_text
        WHERE id = old.id;
END;
CREATE TRIGGER messages_search_update AFTER UPDATE OF content, attachments ON messages BEGIN
    INSERT INTO messages_search (rowid, content, attachment_names)
        SELECT id, content, attachment_names FROM messages_search_text WHERE id = new.id;
END;

-- Tickets: the opener's and the claimer's names and the verdict's ban reason, any part of
-- them (trigram).
CREATE VIEW tickets_search_text AS SELECT
    id,
    CASE WHEN opener_name GLOB '*[^ -~]*' THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(opener_name, 'ä', 'ae'), 'Ä', 'ae'), 'ö', 'oe'), 'Ö', 'oe'), 'ü', 'ue'), 'Ü', 'ue'), 'ß', 'ss'), 'ẞ', 'ss'), 'æ', 'ae'), 'Æ', 'ae'), 'œ', 'oe'), 'Œ', 'oe'), 'ø', 'o'), 'Ø', 'o'), 'ł', 'l'), 'Ł', 'l'), 'đ', 'd'), 'Đ', 'd'), 'ı', 'i'), 'İ', 'i'), 'þ', 'th'), 'Þ', 'th') ELSE opener_name END AS opener_name,
    CASE WHEN coalesce(claimed_by_name, '') GLOB '*[^ -~]*' THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(coalesce(claimed_by_name, ''), 'ä', 'ae'), 'Ä', 'ae'), 'ö', 'oe'), 'Ö', 'oe'), 'ü', 'ue'), 'Ü', 'ue'), 'ß', 'ss'), 'ẞ', 'ss'), 'æ', 'ae'), 'Æ', 'ae'), 'œ', 'oe'), 'Œ', 'oe'), 'ø', 'o'), 'Ø', 'o'), 'ł', 'l'), 'Ł', 'l'), 'đ', 'd'), 'Đ', 'd'), 'ı', 'i'), 'İ', 'i'), 'þ', 'th'), 'Þ', 'th') ELSE coalesce(claimed_by_name, '') END AS claimed_by_name,
    CASE WHEN coalesce(verdict_ban_reason, '') GLOB '*[^ -~]*' THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(coalesce(verdict_ban_reason, ''), 'ä', 'ae'), 'Ä', 'ae'), 'ö', 'oe'), 'Ö', 'oe'), 'ü', 'ue'), 'Ü', 'ue'), 'ß', 'ss'), 'ẞ', 'ss'), 'æ', 'ae'), 'Æ', 'ae'), 'œ', 'oe'), 'Œ', 'oe'), 'ø', 'o'), 'Ø', 'o'), 'ł', 'l'), 'Ł', 'l'), 'đ', 'd'), 'Đ', 'd'), 'ı', 'i'), 'İ', 'i'), 'þ', 'th'), 'Þ', 'th') ELSE coalesce(verdict_ban_reason, '') END AS verdict_ban_reason
FROM tickets;
CREATE VIRTUAL TABLE tickets_name_search USING fts5(
    opener_name,
    claimed_by_name,
    verdict_ban_reason,
    content = 'tickets_search_text',
    content_rowid = 'id',
    tokenize = 'trigram case_sensitive 0 remove_diacritics 1'
);
INSERT INTO tickets_name_search (tickets_name_search) VALUES ('rebuild');

CREATE TRIGGER tickets_name_search_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_name_search (rowid, opener_name, claimed_by_name, verdict_ban_reason)
        SELECT id, opener_name, claimed_by_name, verdict_ban_reason FROM tickets_search_text
        WHERE id = new.id;
END;
CREATE TRIGGER tickets_name_search_delete BEFORE DELETE ON tickets BEGIN
    INSERT INTO tickets_name_search
        (tickets_name_search, rowid, opener_name, claimed_by_name, verdict_ban_reason)
        SELECT 'delete', id, opener_name, claimed_by_name, verdict_ban_reason
        FROM tickets_search_text WHERE id = old.id;
END;
CREATE TRIGGER tickets_name_search_update_before
    BEFORE UPDATE OF opener_name, claimed_by_name, verdict_ban_reason ON tickets BEGIN
    INSERT INTO tickets_name_search
        (tickets_name_search, rowid, opener_name, claimed_by_name, verdict_ban_reason)
        SELECT 'delete', id, opener_name, claimed_by_name, verdict_ban_reason
        FROM tickets_search_text WHERE id = old.id;
END;
CREATE TRIGGER tickets_name_search_update
    AFTER UPDATE OF opener_name, claimed_by_name, verdict_ban_reason ON tickets BEGIN
    INSERT INTO tickets_name_search (rowid, opener_name, claimed_by_name, verdict_ban_reason)
        SELECT id, opener_name, claimed_by_name, verdict_ban_reason FROM tickets_search_text
        WHERE id = new.id;
END;
