-- Members a staff member added to one ticket (`/ticket add`): every stage change of the
-- channel rewrites its overwrites and keeps theirs.
CREATE TABLE ticket_members (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    user_id BIGINT NOT NULL,
    added_by BIGINT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);

-- Members who may not open tickets (`/blacklist`).
CREATE TABLE blacklist (
    user_id BIGINT PRIMARY KEY NOT NULL,
    user_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    added_by BIGINT NOT NULL,
    added_at BIGINT NOT NULL
);

-- Saved answers staff post with `/tag` (`/tags set`).
CREATE TABLE tags (
    name TEXT PRIMARY KEY NOT NULL,
    body TEXT NOT NULL,
    updated_by BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A channel rename Discord's limit (two per 10 minutes) put off: done at `due_at`, also after
-- a restart.
CREATE TABLE pending_renames (
    ticket_id BIGINT PRIMARY KEY NOT NULL REFERENCES tickets (id),
    name TEXT NOT NULL,
    due_at BIGINT NOT NULL
);
