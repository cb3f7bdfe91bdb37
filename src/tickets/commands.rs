//! The `/ticket …` subcommands that a ticket's actor carries out, read from Discord's command
//! data. Their registration is `discord::commands`'s; what each does is the actor's.

use twilight_model::application::interaction::application_command::{
    CommandData, CommandDataOption, CommandOptionValue,
};
use twilight_model::id::Id;
use twilight_model::id::marker::UserMarker;

/// The command's name; its subcommands below.
pub const TICKET: &str = "ticket";
pub const CLOSE_REQUEST: &str = "closerequest";
pub const TRANSFER: &str = "transfer";
pub const ADD: &str = "add";
pub const REMOVE: &str = "remove";
pub const RENAME: &str = "rename";
/// `/tag name`: a command of its own, carried out by the ticket's actor as well.
pub const TAG: &str = "tag";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketCommand {
    CloseRequest { reason: Option<String> },
    Transfer { user: Id<UserMarker> },
    Add { user: Id<UserMarker> },
    Remove { user: Id<UserMarker> },
    Rename { name: String },
    Tag { name: String },
}

impl TicketCommand {
    /// The subcommand of a `/ticket` invocation; None for one this bot does not know or whose
    /// required option is missing (Discord enforces them, so only a forged call lacks one).
    pub fn from_data(data: &CommandData) -> Option<Self> {
        let sub = data.options.first()?;
        let CommandOptionValue::SubCommand(options) = &sub.value else {
            return None;
        };
        let user = || user_option(options, "user");
        let text = |name: &str| string_option(options, name);
        match sub.name.as_str() {
            CLOSE_REQUEST => Some(Self::CloseRequest {
                reason: text("reason"),
            }),
            TRANSFER => Some(Self::Transfer { user: user()? }),
            ADD => Some(Self::Add { user: user()? }),
            REMOVE => Some(Self::Remove { user: user()? }),
            RENAME => Some(Self::Rename {
                name: text("name")?,
            }),
            _ => None,
        }
    }

    /// `/tag name`; None without a name (only a forged call lacks it).
    pub fn tag_from_data(data: &CommandData) -> Option<Self> {
        Some(Self::Tag {
            name: string_option(&data.options, "name")?,
        })
    }
}

pub fn user_option(options: &[CommandDataOption], name: &str) -> Option<Id<UserMarker>> {
    options.iter().find_map(|o| match &o.value {
        CommandOptionValue::User(id) if o.name == name => Some(*id),
        _ => None,
    })
}

pub fn string_option(options: &[CommandDataOption], name: &str) -> Option<String> {
    options.iter().find_map(|o| match &o.value {
        CommandOptionValue::String(text) if o.name == name => Some(text.clone()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(json: serde_json::Value) -> CommandData {
        serde_json::from_value(json).expect("command data")
    }

    #[test]
    fn subcommands_are_read_with_their_options() {
        let transfer = data(serde_json::json!({
            "id": "1", "name": "ticket", "type": 1,
            "options": [{"name": "transfer", "type": 1, "options": [
                {"name": "user", "type": 6, "value": "42"}
            ]}]
        }));
        assert_eq!(
            TicketCommand::from_data(&transfer),
            Some(TicketCommand::Transfer { user: Id::new(42) })
        );
        let request = data(serde_json::json!({
            "id": "1", "name": "ticket", "type": 1,
            "options": [{"name": "closerequest", "type": 1, "options": []}]
        }));
        assert_eq!(
            TicketCommand::from_data(&request),
            Some(TicketCommand::CloseRequest { reason: None })
        );
        let unknown = data(serde_json::json!({
            "id": "1", "name": "ticket", "type": 1,
            "options": [{"name": "explode", "type": 1, "options": []}]
        }));
        assert_eq!(TicketCommand::from_data(&unknown), None);
    }
}
