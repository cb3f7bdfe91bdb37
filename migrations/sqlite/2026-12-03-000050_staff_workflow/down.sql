DROP TABLE pending_renames;
DROP TABLE tags;
DROP TABLE blacklist;
DROP TABLE ticket_members;
