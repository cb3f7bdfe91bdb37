//! The registration of `/blacklist` and `/tags`, the admins' server-wide lists; what they do is
//! `tickets::blacklist`'s and `tickets::tags`'s.

use twilight_model::application::command::{Command, CommandType};
use twilight_model::application::interaction::InteractionContextType;
use twilight_model::guild::Permissions;
use twilight_util::builder::command::{
    CommandBuilder, StringBuilder, SubCommandBuilder, UserBuilder,
};

use crate::tickets::{blacklist, tags};

pub fn blacklist_command(permissions: Permissions) -> Command {
    let user = |description: &str| UserBuilder::new("user", description).required(true);
    CommandBuilder::new(
        blacklist::BLACKLIST,
        "Sperrt Mitglieder für Tickets (nur Admin).",
        CommandType::ChatInput,
    )
    .default_member_permissions(permissions)
    .contexts([InteractionContextType::Guild])
    .option(
        SubCommandBuilder::new(blacklist::ADD, "Sperrt ein Mitglied für neue Tickets.")
            .option(user("Das Mitglied, das gesperrt wird."))
            .option(StringBuilder::new("reason", "Grund der Sperre.").max_length(500)),
    )
    .option(
        SubCommandBuilder::new(blacklist::REMOVE, "Hebt die Sperre eines Mitglieds auf.")
            .option(user("Das Mitglied, dessen Sperre aufgehoben wird.")),
    )
    .option(SubCommandBuilder::new(
        blacklist::LIST,
        "Zeigt alle gesperrten Mitglieder.",
    ))
    .build()
}

pub fn tags_command(permissions: Permissions) -> Command {
    let name = || {
        StringBuilder::new("name", "Der Name des Tags (ohne Leerzeichen).")
            .required(true)
            .max_length(100)
    };
    CommandBuilder::new(
        tags::TAGS,
        "Verwaltet die gespeicherten Texte für /tag (nur Admin).",
        CommandType::ChatInput,
    )
    .default_member_permissions(permissions)
    .contexts([InteractionContextType::Guild])
    .option(
        SubCommandBuilder::new(tags::SET, "Speichert einen Tag oder ändert ihn.")
            .option(name())
            .option(
                StringBuilder::new("text", "Der Text des Tags.")
                    .required(true)
                    .max_length(2000),
            ),
    )
    .option(SubCommandBuilder::new(tags::DELETE, "Löscht einen Tag.").option(name()))
    .option(SubCommandBuilder::new(tags::LIST, "Zeigt alle Tags."))
    .build()
}
