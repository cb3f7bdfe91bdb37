//! Our buttons and their stable `custom_id`s, and how clicks on the original Python bot's buttons
//! are understood, so a server can switch bots without re-posting anything.

use twilight_model::application::interaction::modal::{
    ModalInteractionComponent, ModalInteractionData,
};
use twilight_model::channel::message::Component;
use twilight_model::channel::message::component::{
    ActionRow, Button, ButtonStyle, Label, TextInput, TextInputStyle,
};

use crate::texts;

pub const OPEN: &str = "ticket:open";
pub const CLAIM: &str = "ticket:claim";
pub const CLOSE: &str = "ticket:close";
pub const DELETE: &str = "ticket:delete";
pub const UNCLAIM: &str = "ticket:unclaim";
/// Opens the reason modal; its submission carries the same id.
pub const CLOSE_REASON: &str = "ticket:close_reason";
pub const REOPEN: &str = "ticket:reopen";
/// `ticket:closerequest:confirm:<request id>` and `ticket:closerequest:keep:<request id>`.
const CLOSE_REQUEST_CONFIRM: &str = "ticket:closerequest:confirm:";
const CLOSE_REQUEST_KEEP: &str = "ticket:closerequest:keep:";
/// `rating:<ticket id>:<stars>` on the opener's DM.
const RATING: &str = "rating:";
/// `rating_comment:<ticket id>`: the comment modal after a rating.
const RATING_COMMENT: &str = "rating_comment:";
/// The text field of the reason and comment modals.
pub const TEXT_FIELD: &str = "text";
pub const REASON_MAX_CHARS: u16 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonAction {
    Open,
    Claim,
    Close,
    Delete,
    /// "Freigeben" on the claim message.
    Unclaim,
    CloseReason,
    Reopen,
    /// The opener confirms close request `.0`.
    ConfirmClose(i64),
    /// The opener keeps the ticket open; close request `.0` ends.
    KeepOpen(i64),
}

/// A click on a rating button of the DM: ticket and stars (1 … 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatingClick {
    pub ticket: i64,
    pub stars: i32,
}

impl RatingClick {
    pub fn from_custom_id(custom_id: &str) -> Option<Self> {
        let (ticket, stars) = custom_id.strip_prefix(RATING)?.split_once(':')?;
        let stars: i32 = stars.parse().ok().filter(|s| (1..=5).contains(s))?;
        Some(Self {
            ticket: ticket.parse().ok()?,
            stars,
        })
    }
}

/// The ticket of a rating comment modal's `custom_id`.
pub fn rating_comment_ticket(custom_id: &str) -> Option<i64> {
    custom_id.strip_prefix(RATING_COMMENT)?.parse().ok()
}

pub fn rating_comment_id(ticket: i64) -> String {
    format!("{RATING_COMMENT}{ticket}")
}

fn numbered_suffix(custom_id: &str, prefix: &str) -> Option<i64> {
    custom_id.strip_prefix(prefix)?.parse().ok()
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
            CLOSE_REASON => return Some(Self::CloseReason),
            REOPEN => return Some(Self::Reopen),
            _ => {}
        }
        if let Some(request) = numbered_suffix(custom_id, CLOSE_REQUEST_CONFIRM) {
            return Some(Self::ConfirmClose(request));
        }
        if let Some(request) = numbered_suffix(custom_id, CLOSE_REQUEST_KEEP) {
            return Some(Self::KeepOpen(request));
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
    toggled_button(custom_id, label, style, false)
}

fn toggled_button(custom_id: &str, label: &str, style: ButtonStyle, disabled: bool) -> Component {
    Component::Button(Button {
        custom_id: Some(custom_id.to_owned()),
        disabled,
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
            button(CLOSE_REASON, texts::LABEL_CLOSE_REASON, ButtonStyle::Danger),
            button(DELETE, texts::LABEL_DELETE, ButtonStyle::Danger),
        ],
        id: None,
    })]
}

fn row(components: Vec<Component>) -> Vec<Component> {
    vec![Component::ActionRow(ActionRow {
        components,
        id: None,
    })]
}

/// The claim message's button: the claimer (or an admin) gives the ticket back.
pub fn unclaim_button_row() -> Vec<Component> {
    row(vec![button(
        UNCLAIM,
        texts::LABEL_UNCLAIM,
        ButtonStyle::Secondary,
    )])
}

/// The buttons of the close message in a closed channel.
pub fn closed_row() -> Vec<Component> {
    row(vec![
        button(REOPEN, texts::LABEL_REOPEN, ButtonStyle::Success),
        button(DELETE, texts::LABEL_DELETE, ButtonStyle::Danger),
    ])
}

/// The opener's buttons of close request `request`; disabled once it is answered.
pub fn close_request_row(request: i64, disabled: bool) -> Vec<Component> {
    row(vec![
        toggled_button(
            &format!("{CLOSE_REQUEST_CONFIRM}{request}"),
            texts::LABEL_CONFIRM_CLOSE,
            ButtonStyle::Danger,
            disabled,
        ),
        toggled_button(
            &format!("{CLOSE_REQUEST_KEEP}{request}"),
            texts::LABEL_KEEP_OPEN,
            ButtonStyle::Secondary,
            disabled,
        ),
    ])
}

/// `1` … `5` for ticket `ticket`; disabled once it is rated.
pub fn rating_row(ticket: i64, disabled: bool) -> Vec<Component> {
    row((1..=5)
        .map(|stars| {
            toggled_button(
                &format!("{RATING}{ticket}:{stars}"),
                &stars.to_string(),
                ButtonStyle::Primary,
                disabled,
            )
        })
        .collect())
}

/// The one paragraph field of a modal: the close reason (required) or a rating comment.
pub fn text_field(label: &str, required: bool) -> Vec<Component> {
    vec![Component::Label(Label {
        component: Box::new(Component::TextInput(TextInput {
            custom_id: TEXT_FIELD.to_owned(),
            id: None,
            #[allow(deprecated)]
            label: None,
            max_length: Some(REASON_MAX_CHARS),
            min_length: required.then_some(1),
            placeholder: None,
            required: Some(required),
            style: TextInputStyle::Paragraph,
            value: None,
        })),
        description: None,
        id: None,
        label: label.to_owned(),
    })]
}

/// What was typed into the modal's text field, trimmed; None when empty or absent.
pub fn submitted_text(data: &ModalInteractionData) -> Option<String> {
    fn find(component: &ModalInteractionComponent) -> Option<&str> {
        match component {
            ModalInteractionComponent::TextInput(input) if input.custom_id == TEXT_FIELD => {
                Some(&input.value)
            }
            ModalInteractionComponent::Label(label) => find(&label.component),
            ModalInteractionComponent::ActionRow(row) => row.components.iter().find_map(find),
            _ => None,
        }
    }
    let text = data.components.iter().find_map(find)?.trim();
    let text: String = text.chars().take(usize::from(REASON_MAX_CHARS)).collect();
    (!text.is_empty()).then_some(text)
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
    fn workflow_ids_round_trip() {
        assert_eq!(
            ButtonAction::from_custom_id(CLOSE_REASON),
            Some(ButtonAction::CloseReason)
        );
        assert_eq!(
            ButtonAction::from_custom_id(REOPEN),
            Some(ButtonAction::Reopen)
        );
        assert_eq!(
            ButtonAction::from_custom_id("ticket:closerequest:confirm:17"),
            Some(ButtonAction::ConfirmClose(17))
        );
        assert_eq!(
            ButtonAction::from_custom_id("ticket:closerequest:keep:17"),
            Some(ButtonAction::KeepOpen(17))
        );
        assert_eq!(
            ButtonAction::from_custom_id("ticket:closerequest:keep:x"),
            None
        );
        assert_eq!(
            RatingClick::from_custom_id("rating:12:5"),
            Some(RatingClick {
                ticket: 12,
                stars: 5
            })
        );
        assert_eq!(RatingClick::from_custom_id("rating:12:6"), None);
        assert_eq!(RatingClick::from_custom_id("rating:x:1"), None);
        assert_eq!(rating_comment_ticket(&rating_comment_id(9)), Some(9));
        // Discord's limit for a custom_id.
        let longest = format!("{RATING}{}:5", i64::MAX);
        assert!(longest.len() <= 100);
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
