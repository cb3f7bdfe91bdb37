DROP TRIGGER transcripts_panel_version ON transcripts;
DROP TRIGGER tickets_panel_version ON tickets;
DROP FUNCTION bump_panel_version();
DROP TABLE panel_version;
