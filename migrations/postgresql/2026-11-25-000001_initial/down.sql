DROP TABLE bot_settings;
DROP TABLE ai_turns;
DROP TABLE audit_log;
DROP TABLE transcripts;
DROP TABLE message_revisions;
DROP TABLE messages;
DROP TABLE tickets;
