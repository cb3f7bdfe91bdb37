//! The scripted intake that runs without the AI: ask for the ID, then for the reason and the
//! appeal; the answers become the verdict.

use super::ban_lookup::Lookup;
use crate::texts;

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Say this and wait for the next message.
    Ask(String),
    /// The appeal is complete: hand over with this summary.
    HandOver { summary: String },
}

/// `found`: an ID in this batch and what the ban database said about it; `id_known`: an ID was
/// accepted earlier; `text`: what the opener wrote in this batch.
pub fn step(found: Option<(&str, &Lookup)>, id_known: bool, text: &str) -> Step {
    match found {
        Some((id, Lookup::Unknown)) => Step::Ask(texts::secretary_unknown_id(id)),
        Some((_, Lookup::Found { reason, .. })) => {
            Step::Ask(texts::secretary_ask_appeal(Some(reason)))
        }
        Some((_, Lookup::Failed(_) | Lookup::NotConfigured)) => {
            Step::Ask(texts::secretary_ask_appeal(None))
        }
        None if id_known => Step::HandOver {
            summary: text.trim().to_owned(),
        },
        None => Step::Ask(texts::SECRETARY_ASK_ID.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_for_the_id_until_one_comes() {
        assert_eq!(
            step(None, false, "hallo"),
            Step::Ask(texts::SECRETARY_ASK_ID.to_owned())
        );
    }

    #[test]
    fn the_answer_after_the_id_is_the_appeal() {
        let found = Lookup::Found {
            reason: "Teamkill".into(),
            player_name: None,
        };
        assert!(
            matches!(step(Some(("x", &found)), false, "id"), Step::Ask(t) if t.contains("Teamkill"))
        );
        assert_eq!(
            step(None, true, " war ein Versehen "),
            Step::HandOver {
                summary: "war ein Versehen".into()
            }
        );
    }
}
