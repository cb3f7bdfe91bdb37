DROP INDEX tickets_opener;
DROP TRIGGER messages_panel_version ON messages;
