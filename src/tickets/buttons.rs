//! Our buttons and their stable `custom_id`s, and how clicks on the original Python bot's buttons
//! are understood, so a server can switch bots without re-posting anything.

use twilight_model::channel::message::Component;
use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle};

use crate::texts;

pub const OPEN: &str = "ticket:open";
pub const CLAIM: &str = "ticket:claim";
pub const CLOSE: &str = "ticket:close";
pub const DELETE: &str = "ticket:delete";
pub const UNCLAIM: &str = "ticket:unclaim";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonAction {
    Open,
    Claim,
    Close,
    Delete,
    /// "Freigeben" on the claim message.
    Unclaim,
}

impl ButtonAction {
    /// Our own ids, and the ids of the original bot's early versions
    /// (`create_ticket_button`, `claim_ticket_<n>`, …).
    pub fn from_custom_id(custom_id: &str) -> Option<Self> {
        match custom_id {
            OPEN | "create_ticket_button" => return Some(Self::Open),
            CLAIM => return Some(Self::Claim),
            CLOSE => return Some(Self::Close),
            DELETE => return Some(Self::Delete),
            UNCLAIM => return Some(Self::Unclaim),
            _ => {}
        }
        let numbered = |prefix: &str| {
            custom_id
                .strip_prefix(prefix)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        };
        if numbered("claim_ticket_") {
            Some(Self::Claim)
        } else if numbered("close_ticket_") {
            Some(Self::Close)
        } else if numbered("delete_ticket_") {
            Some(Self::Delete)
        } else {
            None
        }
    }

    /// The original bot's later versions used random ids; their labels are what is stable.
    pub fn from_label(label: &str) -> Option<Self> {
        match label.trim() {
            texts::LABEL_OPEN => Some(Self::Open),
            texts::LABEL_CLAIM => Some(Self::Claim),
            texts::LABEL_CLOSE => Some(Self::Close),
            texts::LABEL_DELETE => Some(Self::Delete),
            texts::LABEL_UNCLAIM => Some(Self::Unclaim),
            _ => None,
        }
    }
}

fn button(custom_id: &str, label: &str, style: ButtonStyle) -> Component {
    Component::Button(Button {
        custom_id: Some(custom_id.to_owned()),
        disabled: false,
        emoji: None,
        id: None,
        label: Some(label.to_owned()),
        sku_id: None,
        style,
        url: None,
    })
}

pub fn open_button_row() -> Vec<Component> {
    vec![Component::ActionRow(ActionRow {
        components: vec![button(OPEN, texts::LABEL_OPEN, ButtonStyle::Danger)],
        id: None,
    })]
}

pub fn staff_button_row() -> Vec<Component> {
    vec![Component::ActionRow(ActionRow {
        components: vec![
            button(CLAIM, texts::LABEL_CLAIM, ButtonStyle::Success),
            button(CLOSE, texts::LABEL_CLOSE, ButtonStyle::Danger),
            button(DELETE, texts::LABEL_DELETE, ButtonStyle::Danger),
        ],
        id: None,
    })]
}

/// The claim message's button: the claimer (or an admin) gives the ticket back.
pub fn unclaim_button_row() -> Vec<Component> {
    vec![Component::ActionRow(ActionRow {
        components: vec![button(
            UNCLAIM,
            texts::LABEL_UNCLAIM,
            ButtonStyle::Secondary,
        )],
        id: None,
    })]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_ids_map_to_actions() {
        assert_eq!(
            ButtonAction::from_custom_id("create_ticket_button"),
            Some(ButtonAction::Open)
        );
        assert_eq!(
            ButtonAction::from_custom_id("claim_ticket_12"),
            Some(ButtonAction::Claim)
        );
        assert_eq!(
            ButtonAction::from_custom_id("close_ticket_7"),
            Some(ButtonAction::Close)
        );
        assert_eq!(
            ButtonAction::from_custom_id("delete_ticket_1"),
            Some(ButtonAction::Delete)
        );
        assert_eq!(ButtonAction::from_custom_id("claim_ticket_"), None);
        assert_eq!(ButtonAction::from_custom_id("claim_ticket_x"), None);
        assert_eq!(ButtonAction::from_custom_id("8f3a9c0e2b"), None);
    }

    #[test]
    fn labels_map_to_actions() {
        assert_eq!(
            ButtonAction::from_label("Ticket schließen"),
            Some(ButtonAction::Close)
        );
        assert_eq!(ButtonAction::from_label("Ticket kaufen"), None);
    }
}
