-- Times are unix milliseconds (UTC); Discord ids are 64-bit integers.
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY NOT NULL,
    opener_id BIGINT NOT NULL,
    opener_name TEXT NOT NULL,
    channel_id BIGINT,
    status TEXT NOT NULL DEFAULT 'opening',
    claimed_by BIGINT,
    claimed_by_name TEXT,
    welcome_message_id BIGINT,
    created_at BIGINT NOT NULL,
    claimed_at BIGINT,
    closed_at BIGINT,
    deleted_at BIGINT,
    degraded BOOLEAN NOT NULL DEFAULT 0,
    ai_state TEXT NOT NULL DEFAULT 'active',
    ai_uncooperative INTEGER NOT NULL DEFAULT 0,
    ai_turns INTEGER NOT NULL DEFAULT 0,
    ai_tokens BIGINT NOT NULL DEFAULT 0,
    ai_answered_up_to BIGINT,
    verdict_source TEXT,
    verdict_ban_id TEXT,
    verdict_player_name TEXT,
    verdict_ban_reason TEXT,
    verdict_cooperative BOOLEAN,
    verdict_summary TEXT,
    verdict_at BIGINT
);
CREATE UNIQUE INDEX tickets_channel ON tickets (channel_id);
-- One active ticket per user, enforced by the database so two clicks cannot race.
CREATE UNIQUE INDEX tickets_one_active_per_opener ON tickets (opener_id)
    WHERE status IN ('opening', 'open', 'claimed');
CREATE INDEX tickets_status ON tickets (status, id);
CREATE INDEX tickets_claimer ON tickets (claimed_by, status);

CREATE TABLE messages (
    id BIGINT PRIMARY KEY NOT NULL,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    author_id BIGINT NOT NULL,
    author_name TEXT NOT NULL,
    author_avatar TEXT,
    author_is_bot BOOLEAN NOT NULL DEFAULT 0,
    is_ai BOOLEAN NOT NULL DEFAULT 0,
    content TEXT NOT NULL,
    embeds TEXT NOT NULL DEFAULT '[]',
    attachments TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    deleted_at BIGINT
);
CREATE INDEX messages_ticket ON messages (ticket_id, id);

-- Earlier versions of edited messages, so an edit never loses what was said.
CREATE TABLE message_revisions (
    id INTEGER PRIMARY KEY NOT NULL,
    message_id BIGINT NOT NULL REFERENCES messages (id),
    content TEXT NOT NULL,
    replaced_at BIGINT NOT NULL
);
CREATE INDEX message_revisions_message ON message_revisions (message_id);

CREATE TABLE transcripts (
    id INTEGER PRIMARY KEY NOT NULL,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    reason TEXT NOT NULL,
    created_by BIGINT,
    created_by_name TEXT,
    created_at BIGINT NOT NULL,
    message_count INTEGER NOT NULL,
    body_text TEXT NOT NULL
);
CREATE INDEX transcripts_ticket ON transcripts (ticket_id, id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY NOT NULL,
    ticket_id BIGINT REFERENCES tickets (id),
    action TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT,
    detail TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_ticket ON audit_log (ticket_id, id);

-- The AI conversation of each ticket, so a restarted actor continues it.
CREATE TABLE ai_turns (
    id INTEGER PRIMARY KEY NOT NULL,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ai_turns_ticket ON ai_turns (ticket_id, id);

CREATE TABLE bot_settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
