//! Who did something, as logs and audit rows show them, and the roles they pressed with.

use twilight_model::application::interaction::Interaction;
use twilight_model::id::Id;
use twilight_model::id::marker::{RoleMarker, UserMarker};
use twilight_model::user::User;

/// Who did something, as shown in logs: name and id.
#[derive(Debug, Clone)]
pub struct Who {
    pub id: Id<UserMarker>,
    pub name: String,
}

impl Who {
    /// The member or user behind an interaction.
    pub fn of(interaction: &Interaction) -> Option<Self> {
        let user = interaction.author()?;
        let nick = interaction.member.as_ref().and_then(|m| m.nick.as_deref());
        Some(Self {
            id: user.id,
            name: display_name(nick, user),
        })
    }
}

/// The name the server shows for `user`: the server nickname, else the global display name,
/// else the user name.
pub fn display_name(nick: Option<&str>, user: &User) -> String {
    nick.map(str::to_owned)
        .or_else(|| user.global_name.clone())
        .unwrap_or_else(|| user.name.clone())
}

/// The roles of the member who pressed; none outside a server.
pub fn roles(interaction: &Interaction) -> &[Id<RoleMarker>] {
    interaction
        .member
        .as_ref()
        .map(|m| m.roles.as_slice())
        .unwrap_or_default()
}
