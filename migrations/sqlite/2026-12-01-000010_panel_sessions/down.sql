DROP TABLE panel_sessions;
