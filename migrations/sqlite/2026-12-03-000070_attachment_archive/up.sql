-- The attachment archive. One row per archived file, by the sha256 of its bytes (the key in
-- the store), with the type sniffed from those bytes: what the panel serves it as.
CREATE TABLE archived_files (
    sha256 TEXT PRIMARY KEY NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    stored_at BIGINT NOT NULL
);

-- One row per attachment of a stored message, written in the message's own transaction, so a
-- download that has not happened yet is found again after a restart ('pending'). 'stored'
-- links the file by sha256; 'too_large' and 'failed' are final.
CREATE TABLE message_attachments (
    message_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    ticket_id BIGINT NOT NULL,
    attachment_id BIGINT NOT NULL,
    filename TEXT NOT NULL,
    declared_type TEXT,
    size BIGINT NOT NULL,
    url TEXT NOT NULL,
    status TEXT NOT NULL,
    sha256 TEXT,
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    error TEXT,
    PRIMARY KEY (message_id, position)
);
CREATE INDEX message_attachments_pending ON message_attachments (next_attempt_at) WHERE status = 'pending';
CREATE INDEX message_attachments_file ON message_attachments (sha256);
CREATE INDEX message_attachments_ticket ON message_attachments (ticket_id);
