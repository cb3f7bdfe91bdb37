DROP TABLE ban_evidence;
