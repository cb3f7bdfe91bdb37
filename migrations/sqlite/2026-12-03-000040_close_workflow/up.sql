-- Why the ticket was last closed ("Mit Grund schließen", a close request); NULL when no reason
-- was given or the ticket is open again.
ALTER TABLE tickets ADD COLUMN close_reason TEXT;

-- "/ticket closerequest": asked of the opener, answered by them or by the timeout. The ticket's
-- actor rebuilds its timer from the pending row after a restart.
CREATE TABLE close_requests (
    id INTEGER PRIMARY KEY NOT NULL,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    requested_by BIGINT NOT NULL,
    requested_by_name TEXT NOT NULL,
    reason TEXT,
    message_id BIGINT,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    answered_at BIGINT
);
CREATE INDEX close_requests_ticket ON close_requests (ticket_id, state);

-- The opener's rating of a ticket (one per ticket), from the buttons of the DM sent at its end.
CREATE TABLE ratings (
    ticket_id BIGINT PRIMARY KEY NOT NULL REFERENCES tickets (id),
    rater_id BIGINT NOT NULL,
    stars INTEGER NOT NULL,
    comment TEXT,
    rated_at BIGINT NOT NULL,
    commented_at BIGINT
);
