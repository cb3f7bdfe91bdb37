DROP TRIGGER tickets_name_search_update;
DROP TRIGGER tickets_name_search_delete;
DROP TRIGGER tickets_name_search_insert;
DROP TABLE tickets_name_search;
