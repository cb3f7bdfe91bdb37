DROP TABLE message_attachments;
DROP TABLE archived_files;
