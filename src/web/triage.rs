//! Who a ticket waits on, from its last word: the team or the opener. The same rule as the
//! workflow's auto-close: the opener is the one to answer when the team (or Sigrid, while she
//! still asks the questions) spoke last, or when the opener has not written at all.

use crate::db::models::{AiState, Ticket, TicketStatus};

/// The newest message of a ticket that someone wrote (the bot's own notices do not count).
#[derive(Debug, Clone, Copy)]
pub struct LastWord {
    pub author_id: i64,
    pub is_ai: bool,
    pub at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitsOn {
    Team,
    Opener,
}

impl WaitsOn {
    /// The class suffix in the list (`waits-team`, `waits-opener`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Team => "team",
            Self::Opener => "opener",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Team => "wartet auf Team",
            Self::Opener => "wartet auf Nutzer",
        }
    }
}

/// None for a ticket nobody works on any more (closed, deleted, failed).
pub fn waits_on(ticket: &Ticket, last: Option<&LastWord>) -> Option<WaitsOn> {
    if !matches!(
        ticket.status(),
        TicketStatus::Open | TicketStatus::Claimed | TicketStatus::Opening
    ) {
        return None;
    }
    let Some(last) = last else {
        return Some(WaitsOn::Opener);
    };
    Some(if last.author_id == ticket.opener_id {
        WaitsOn::Team
    } else if last.is_ai {
        // Before her hand-over Sigrid's last word is a question to the opener; after it the
        // team takes over.
        let asking = matches!(ticket.ai_state, AiState::Active | AiState::Script);
        if asking {
            WaitsOn::Opener
        } else {
            WaitsOn::Team
        }
    } else {
        WaitsOn::Opener
    })
}
