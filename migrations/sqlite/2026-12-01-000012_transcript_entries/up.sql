-- A transcript snapshot as one row per message, so the panel shows who wrote what from the
-- rows themselves: a message whose text looks like a transcript line stays inside its own row.
CREATE TABLE transcript_entries (
    transcript_id BIGINT NOT NULL REFERENCES transcripts (id),
    position INTEGER NOT NULL,
    at_ms BIGINT NOT NULL,
    author_id BIGINT NOT NULL,
    author_name TEXT NOT NULL,
    author_is_bot BOOLEAN NOT NULL,
    is_ai BOOLEAN NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (transcript_id, position)
);
