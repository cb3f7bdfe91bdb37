-- Inactivity auto-close (AUTO_CLOSE_AFTER): what a ticket's actor has already done in the
-- current waiting period, so that a restart neither warns twice nor forgets a warning. The
-- waiting itself is read from the stored messages; a mark older than the period's start is
-- of an earlier period and counts as unset.
CREATE TABLE ticket_inactivity (
    ticket_id BIGINT PRIMARY KEY NOT NULL REFERENCES tickets (id),
    -- When the opener was warned that the ticket closes.
    warned_at BIGINT,
    -- When the log channel was told that the ticket waits on staff.
    staff_told_at BIGINT
);
