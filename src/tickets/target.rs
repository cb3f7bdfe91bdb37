//! The member a command's user option names, with their roles: Discord sends them in the
//! interaction's resolved data; when it does not, they are fetched.

use twilight_model::application::interaction::{Interaction, InteractionData};
use twilight_model::id::Id;
use twilight_model::id::marker::UserMarker;

use crate::error::Result;
use crate::tickets::port::{Discord, Member};
use crate::who;

/// `user` as a member of the server; None when they are not in it.
pub async fn member(
    discord: &dyn Discord,
    interaction: &Interaction,
    user: Id<UserMarker>,
) -> Result<Option<Member>> {
    if let Some(resolved) = resolved(interaction, user) {
        return Ok(Some(resolved));
    }
    discord.member(user).await
}

fn resolved(interaction: &Interaction, user: Id<UserMarker>) -> Option<Member> {
    let Some(InteractionData::ApplicationCommand(data)) = &interaction.data else {
        return None;
    };
    let resolved = data.resolved.as_ref()?;
    let member = resolved.members.get(&user)?;
    let name = match resolved.users.get(&user) {
        Some(u) => who::display_name(member.nick.as_deref(), u),
        None => member.nick.clone().unwrap_or_else(|| user.to_string()),
    };
    Some(Member {
        name,
        roles: member.roles.clone(),
    })
}
