DROP FUNCTION attachment_names(TEXT);
DROP FUNCTION search_fold(TEXT);
