//! Where a ticket and its secretary stand, as enums stored as stable strings.

/// Where a ticket is in its life. Stored as text in `tickets.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketStatus {
    /// Row reserved, channel not created yet.
    Opening,
    Open,
    Claimed,
    Closed,
    Deleted,
    /// Creating the channel failed; the reservation is released.
    Failed,
}

impl TicketStatus {
    pub const ACTIVE: [&'static str; 3] = ["opening", "open", "claimed"];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opening => "opening",
            Self::Open => "open",
            Self::Claimed => "claimed",
            Self::Closed => "closed",
            Self::Deleted => "deleted",
            Self::Failed => "failed",
        }
    }

    /// The status stored as `raw`; None for a value no version of the bot writes.
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "opening" => Self::Opening,
            "open" => Self::Open,
            "claimed" => Self::Claimed,
            "closed" => Self::Closed,
            "deleted" => Self::Deleted,
            "failed" => Self::Failed,
            _ => return None,
        })
    }

    /// Open or claimed: the ticket still takes part in the conversation.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Open | Self::Claimed)
    }
}

/// Where the secretary stands in a ticket. Stored as text in `tickets.ai_state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AiState {
    /// She talks through the AI.
    Active,
    /// The AI is unavailable for this ticket; the scripted intake runs.
    Script,
    HandedOver,
    Declined,
    /// She stepped back (a claim, a staff message, a close).
    Stopped,
}

impl AiState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Script => "script",
            Self::HandedOver => "handed_over",
            Self::Declined => "declined",
            Self::Stopped => "stopped",
        }
    }

    /// The state stored as `raw`; None for a value no version of the bot writes.
    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Active,
            Self::Script,
            Self::HandedOver,
            Self::Declined,
            Self::Stopped,
        ]
        .into_iter()
        .find(|state| state.as_str() == raw)
    }
}

/// Compared with the stored strings, as tests and the panel spell them.
macro_rules! eq_stored {
    ($type:ty) => {
        impl PartialEq<str> for $type {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }
        impl PartialEq<&str> for $type {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
        impl PartialEq<String> for $type {
            fn eq(&self, other: &String) -> bool {
                self.as_str() == other
            }
        }
    };
}
eq_stored!(TicketStatus);
eq_stored!(AiState);
