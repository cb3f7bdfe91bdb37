-- Images read with Tesseract for Sigrid: the ban database's evidence screenshots of a ticket's
-- lookup. One row per image in the order read; `sha256` links the file in the attachment
-- archive when it was downloaded and stored, `text` is what was recognised, `error` why not.
CREATE TABLE ban_evidence (
    ticket_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    ban_id TEXT NOT NULL,
    url TEXT NOT NULL,
    sha256 TEXT,
    text TEXT,
    error TEXT,
    read_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, position)
);
