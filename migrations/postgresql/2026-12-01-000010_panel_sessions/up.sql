-- Panel sessions, kept server-side so that logout and role loss end them at once; the cookie
-- holds only a random token, the row its SHA-256 (a copy of this table opens no session).
CREATE TABLE panel_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    avatar TEXT,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    roles_checked_at BIGINT NOT NULL
);
CREATE INDEX panel_sessions_created_at ON panel_sessions (created_at);
