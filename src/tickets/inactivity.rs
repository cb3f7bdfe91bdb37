//! Inactivity auto-close, decided: whom an open ticket waits on since when, and what is due
//! when (`AUTO_CLOSE_AFTER`, `AUTO_CLOSE_WARNING`). Pure: the ticket's actor feeds it the
//! ticket, when who last wrote and what it already did, and arms one timer for the answer.

use crate::config::AutoClose;
use crate::db::models::Ticket;
#[cfg(test)]
use crate::db::queries::Written;
use crate::db::queries::{InactivityMarks, LastWritten};

/// Whose turn it is in an open ticket, since when (ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// Staff or Sigrid asked; the opener is to answer. Closed when silent for too long.
    Opener { since: i64 },
    /// The opener wrote, or Sigrid handed over; staff are to answer. Never closed.
    Staff { since: i64 },
}

/// What inactivity asks of the ticket next, at `at` (ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Warn the opener that the ticket closes `AUTO_CLOSE_WARNING` from then.
    Warn { at: i64 },
    /// Close the ticket: the opener stayed silent after the warning.
    Close { at: i64 },
    /// Tell the log channel that the ticket has waited `AUTO_CLOSE_AFTER` on staff.
    TellStaffWait { at: i64 },
}

impl Due {
    pub fn at(self) -> i64 {
        match self {
            Self::Warn { at } | Self::Close { at } | Self::TellStaffWait { at } => at,
        }
    }
}

/// Whom `ticket` waits on; None when it is not open or claimed.
///
/// Before Sigrid's hand-over her questions are the bot's: the ticket waits on the opener
/// after hers or staff's message, also when the opener never wrote. After the hand-over (or
/// once she stepped back) her messages no longer count: the ticket waits on staff from the
/// hand-over or the claim, or from the opener's last message, until staff writes.
pub fn waiting(ticket: &Ticket, last: &LastWritten) -> Option<Waiting> {
    if !ticket.status().is_active() {
        return None;
    }
    if crate::ai::secretary::listens(ticket) {
        let asked = last.staff.max(last.sigrid);
        return Some(match last.opener {
            Some(opener) if Some(opener) > asked => Waiting::Staff { since: opener.at },
            _ => Waiting::Opener {
                since: asked.map_or(ticket.created_at, |asked| asked.at),
            },
        });
    }
    let handed_over = [ticket.verdict_at, ticket.claimed_at]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(ticket.created_at);
    Some(match last.staff {
        Some(staff) if staff.at > handed_over && Some(staff) > last.opener => {
            Waiting::Opener { since: staff.at }
        }
        _ => Waiting::Staff {
            since: last.opener.map_or(handed_over, |o| o.at.max(handed_over)),
        },
    })
}

/// What is due next for a ticket that waits as `waiting`, given what was done already in this
/// waiting period (`marks` older than its start belong to an earlier one). None: nothing, ever,
/// until someone writes.
///
/// A warning is due `warning` before the close; once given, the close follows `warning` after
/// it at the earliest, so a warning that was late (the bot was down when it was due) still
/// leaves the opener the full warning period.
pub fn due(waiting: Waiting, marks: InactivityMarks, setting: AutoClose) -> Option<Due> {
    let after = millis(setting.after);
    let warning = millis(setting.warning);
    match waiting {
        Waiting::Opener { since } => match marks.warned_at.filter(|&w| w >= since) {
            Some(warned) => Some(Due::Close {
                at: (since + after).max(warned + warning),
            }),
            None => Some(Due::Warn {
                at: since + after - warning,
            }),
        },
        Waiting::Staff { since } => match marks.staff_told_at.filter(|&t| t >= since) {
            Some(_) => None,
            None => Some(Due::TellStaffWait { at: since + after }),
        },
    }
}

fn millis(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX / 4)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::db::models::{AiState, TicketStatus};

    const OPENER: i64 = 100;
    const H: i64 = 3_600_000;
    const SETTING: AutoClose = AutoClose {
        after: Duration::from_secs(48 * 3600),
        warning: Duration::from_secs(12 * 3600),
    };

    fn ticket(ai_state: AiState) -> Ticket {
        Ticket {
            ai_state,
            created_at: 1_000,
            ..Ticket::sample(1, OPENER)
        }
    }

    fn last(opener: Option<i64>, staff: Option<i64>, sigrid: Option<i64>) -> LastWritten {
        // Message ids in the order of writing, as Discord's are.
        let at = |t: Option<i64>| t.map(|at| Written { at, id: at * 10 });
        LastWritten {
            opener: at(opener),
            staff: at(staff),
            sigrid: at(sigrid),
        }
    }

    #[test]
    fn of_two_messages_in_one_millisecond_the_later_id_is_the_last() {
        let mut t = ticket(AiState::Stopped);
        t.claimed_at = Some(1);
        let (opener, staff) = (Written { at: 5, id: 50 }, Written { at: 5, id: 51 });
        let written = |opener, staff| LastWritten {
            opener: Some(opener),
            staff: Some(staff),
            sigrid: None,
        };
        assert_eq!(
            waiting(&t, &written(opener, staff)),
            Some(Waiting::Opener { since: 5 })
        );
        assert_eq!(
            waiting(&t, &written(Written { id: 52, ..opener }, staff)),
            Some(Waiting::Staff { since: 5 })
        );
    }

    fn marks(warned_at: Option<i64>, staff_told_at: Option<i64>) -> InactivityMarks {
        InactivityMarks {
            warned_at,
            staff_told_at,
        }
    }

    #[test]
    fn before_the_hand_over_sigrids_question_waits_on_the_opener() {
        let t = ticket(AiState::Active);
        assert_eq!(
            waiting(&t, &last(None, None, None)),
            Some(Waiting::Opener { since: 1_000 }),
            "the opener never wrote"
        );
        assert_eq!(
            waiting(&t, &last(Some(5), None, Some(9))),
            Some(Waiting::Opener { since: 9 })
        );
        assert_eq!(
            waiting(&t, &last(Some(10), None, Some(9))),
            Some(Waiting::Staff { since: 10 }),
            "she has yet to answer"
        );
    }

    #[test]
    fn after_the_hand_over_the_ticket_waits_on_staff_until_staff_writes() {
        let mut t = ticket(AiState::HandedOver);
        t.verdict_at = Some(50);
        assert_eq!(
            waiting(&t, &last(Some(40), None, Some(50))),
            Some(Waiting::Staff { since: 50 }),
            "her hand-over message is no question"
        );
        assert_eq!(
            waiting(&t, &last(Some(40), Some(60), Some(50))),
            Some(Waiting::Opener { since: 60 })
        );
        assert_eq!(
            waiting(&t, &last(Some(70), Some(60), Some(50))),
            Some(Waiting::Staff { since: 70 })
        );
        let mut claimed = ticket(AiState::Stopped);
        claimed.status = TicketStatus::Claimed;
        claimed.claimed_at = Some(30);
        assert_eq!(
            waiting(&claimed, &last(None, None, Some(20))),
            Some(Waiting::Staff { since: 30 })
        );
        claimed.status = TicketStatus::Closed;
        assert_eq!(waiting(&claimed, &last(None, Some(40), None)), None);
    }

    #[test]
    fn a_silent_opener_is_warned_then_closed() {
        let waits = Waiting::Opener { since: 0 };
        assert_eq!(
            due(waits, marks(None, None), SETTING),
            Some(Due::Warn { at: 36 * H })
        );
        assert_eq!(
            due(waits, marks(Some(36 * H), None), SETTING),
            Some(Due::Close { at: 48 * H })
        );
    }

    #[test]
    fn a_late_warning_still_leaves_the_full_warning_period() {
        let waits = Waiting::Opener { since: 0 };
        assert_eq!(
            due(waits, marks(Some(47 * H), None), SETTING),
            Some(Due::Close { at: 59 * H })
        );
    }

    #[test]
    fn marks_of_an_earlier_waiting_period_do_not_count() {
        let waits = Waiting::Opener { since: 100 * H };
        assert_eq!(
            due(waits, marks(Some(36 * H), None), SETTING),
            Some(Due::Warn { at: 136 * H })
        );
        let staff = Waiting::Staff { since: 10 * H };
        assert_eq!(
            due(staff, marks(None, Some(5 * H)), SETTING),
            Some(Due::TellStaffWait { at: 58 * H })
        );
    }

    #[test]
    fn a_ticket_waiting_on_staff_is_told_once_and_never_closed() {
        let staff = Waiting::Staff { since: 0 };
        assert_eq!(
            due(staff, marks(None, None), SETTING),
            Some(Due::TellStaffWait { at: 48 * H })
        );
        assert_eq!(due(staff, marks(None, Some(48 * H)), SETTING), None);
    }
}
