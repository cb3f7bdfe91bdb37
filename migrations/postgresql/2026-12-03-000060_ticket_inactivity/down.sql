DROP TABLE ticket_inactivity;
