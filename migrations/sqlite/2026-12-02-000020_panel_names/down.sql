DROP INDEX tickets_opener;
DROP TRIGGER messages_insert_panel_version;
