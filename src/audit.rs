//! The actions the audit table records, stored as stable strings.

/// One kind of audit row. The strings are stored in `audit_log.action` and must not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    Opened,
    Claimed,
    Closed,
    Deleted,
    /// A transcript saved on request (`/ticket_transcript`).
    Transcript,
    /// An action or an opening refused (roles, state, limits).
    Refused,
    /// The channel was deleted by hand in Discord.
    ChannelDeleted,
    /// The closed channel was deleted after `TICKET_CLEANUP_DAYS`.
    Cleanup,
    /// An operator cleared the degraded mark (`ticketbot restart-ticket`).
    RestartRequested,
    /// Sigrid handed over with a verdict (detail: where she stands afterwards).
    Verdict,
    /// The ticket's actor kept crashing and is no longer restarted.
    Degraded,
    /// Imported from the original bot's database.
    LegacyImport,
    /// The claimer or an admin gave the ticket back ("Freigeben").
    Unclaimed,
    /// The claim was handed to another staff member (`/ticket transfer`).
    Transferred,
    /// A member was given access to the ticket (`/ticket add`).
    MemberAdded,
    /// A member's access was taken away (`/ticket remove`).
    MemberRemoved,
    /// The channel was renamed (`/ticket rename`; detail: the name, and when it waits).
    Renamed,
    /// A member was put on the blacklist (no ticket; detail: who and why).
    Blacklisted,
    /// A member was taken off the blacklist.
    Unblacklisted,
    /// A tag was saved or changed (`/tags set`).
    TagSaved,
    /// A tag was deleted (`/tags delete`).
    TagDeleted,
    /// A tag was posted in a ticket (`/tag`).
    TagPosted,
    /// A closed ticket was opened again ("Wieder öffnen").
    Reopened,
    /// Staff asked the opener to confirm the close (`/ticket closerequest`).
    CloseRequested,
    /// The opener kept the ticket open ("Offen lassen").
    CloseRequestKept,
    /// The opener rated the ticket (detail: the stars).
    Rated,
    /// The opener commented on their rating.
    RatingCommented,
    /// The opener's direct message (transcript and rating) could not be delivered.
    DmRefused,
    /// The opener was warned that the silent ticket closes (`AUTO_CLOSE_WARNING` before).
    AutoCloseWarned,
    /// The log channel was told that the ticket waited `AUTO_CLOSE_AFTER` on staff.
    WaitingOnStaff,
    /// A supporter went on duty (`/duty on`).
    DutyOn,
    /// A supporter went off duty (`/duty off`).
    DutyOff,
    /// The ticket was claimed for the least-loaded supporter on duty (`AUTO_ASSIGN`).
    Assigned,
    /// A member's data was erased on request (`ticketbot forget`, the panel's admin action;
    /// detail: when and by whom).
    Erased,
}

impl AuditAction {
    pub const ALL: [Self; 34] = [
        Self::Opened,
        Self::Claimed,
        Self::Closed,
        Self::Deleted,
        Self::Transcript,
        Self::Refused,
        Self::ChannelDeleted,
        Self::Cleanup,
        Self::RestartRequested,
        Self::Verdict,
        Self::Degraded,
        Self::LegacyImport,
        Self::Unclaimed,
        Self::Transferred,
        Self::MemberAdded,
        Self::MemberRemoved,
        Self::Renamed,
        Self::Blacklisted,
        Self::Unblacklisted,
        Self::TagSaved,
        Self::TagDeleted,
        Self::TagPosted,
        Self::Reopened,
        Self::CloseRequested,
        Self::CloseRequestKept,
        Self::Rated,
        Self::RatingCommented,
        Self::DmRefused,
        Self::AutoCloseWarned,
        Self::WaitingOnStaff,
        Self::DutyOn,
        Self::DutyOff,
        Self::Assigned,
        Self::Erased,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opened => "opened",
            Self::Claimed => "claimed",
            Self::Closed => "closed",
            Self::Deleted => "deleted",
            Self::Transcript => "transcript",
            Self::Refused => "refused",
            Self::ChannelDeleted => "channel_deleted",
            Self::Cleanup => "cleanup",
            Self::RestartRequested => "restart_requested",
            Self::Verdict => "verdict",
            Self::Degraded => "degraded",
            Self::LegacyImport => "legacy_import",
            Self::Unclaimed => "unclaimed",
            Self::Transferred => "transferred",
            Self::MemberAdded => "member_added",
            Self::MemberRemoved => "member_removed",
            Self::Renamed => "renamed",
            Self::Blacklisted => "blacklisted",
            Self::Unblacklisted => "unblacklisted",
            Self::TagSaved => "tag_saved",
            Self::TagDeleted => "tag_deleted",
            Self::TagPosted => "tag_posted",
            Self::Reopened => "reopened",
            Self::CloseRequested => "close_requested",
            Self::CloseRequestKept => "close_request_kept",
            Self::Rated => "rated",
            Self::RatingCommented => "rating_commented",
            Self::DmRefused => "dm_refused",
            Self::AutoCloseWarned => "auto_close_warned",
            Self::WaitingOnStaff => "waiting_on_staff",
            Self::DutyOn => "duty_on",
            Self::DutyOff => "duty_off",
            Self::Assigned => "assigned",
            Self::Erased => "erased",
        }
    }

    /// The action stored as `raw`; None for a string no version of this bot writes.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::AuditAction;

    #[test]
    fn every_action_reads_back_as_itself() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
    }
}
