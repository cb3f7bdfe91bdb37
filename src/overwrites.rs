//! Who may see and write where: the permission overwrites of categories and ticket channels,
//! all in one place.

use twilight_model::channel::permission_overwrite::{PermissionOverwrite, PermissionOverwriteType};
use twilight_model::guild::Permissions;
use twilight_model::id::Id;
use twilight_model::id::marker::{GenericMarker, UserMarker};

use crate::config::Config;

/// The stage of a ticket channel, each with its own rights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Created,
    Claimed,
    Closed,
}

const SEE: Permissions = Permissions::VIEW_CHANNEL.union(Permissions::READ_MESSAGE_HISTORY);
const WRITE: Permissions = Permissions::SEND_MESSAGES
    .union(Permissions::ATTACH_FILES)
    .union(Permissions::EMBED_LINKS);

fn role(
    id: impl Into<Id<GenericMarker>>,
    allow: Permissions,
    deny: Permissions,
) -> PermissionOverwrite {
    PermissionOverwrite {
        id: id.into(),
        kind: PermissionOverwriteType::Role,
        allow,
        deny,
    }
}

fn member(id: Id<UserMarker>, allow: Permissions, deny: Permissions) -> PermissionOverwrite {
    PermissionOverwrite {
        id: id.cast(),
        kind: PermissionOverwriteType::Member,
        allow,
        deny,
    }
}

/// The overwrites of a ticket category, as the original bot set them at start-up: @everyone
/// neither sees nor writes; support and admin see, and write except in "closed"; viewers read.
pub fn category(config: &Config, stage: Stage) -> Vec<PermissionOverwrite> {
    let staff_write = stage != Stage::Closed;
    let staff = |id| {
        if staff_write {
            role(id, SEE | WRITE, Permissions::empty())
        } else {
            role(id, SEE, WRITE)
        }
    };
    let mut overwrites = vec![
        role(
            config.guild_id.cast::<GenericMarker>(),
            Permissions::empty(),
            SEE | WRITE,
        ),
        staff(config.roles.support.cast()),
        staff(config.roles.admin.cast()),
    ];
    overwrites.extend(
        config
            .roles
            .viewers
            .iter()
            .map(|viewer| role(viewer.cast::<GenericMarker>(), SEE, WRITE)),
    );
    overwrites
}

/// The overwrites of one ticket channel: its category's, plus the opener, the claimer and
/// the bot itself.
pub fn ticket_channel(
    config: &Config,
    stage: Stage,
    opener: Id<UserMarker>,
    claimer: Option<Id<UserMarker>>,
    bot: Option<Id<UserMarker>>,
) -> Vec<PermissionOverwrite> {
    let mut overwrites = category(config, stage);
    if stage == Stage::Claimed {
        // Only the claimer (and admins) of the support team write in a claimed ticket.
        if let Some(support) = overwrites
            .iter_mut()
            .find(|o| o.id == config.roles.support.cast::<GenericMarker>())
        {
            support.allow = SEE;
            support.deny = WRITE;
        }
    }
    let opener_rights = match stage {
        Stage::Closed => member(opener, SEE, WRITE),
        _ => member(opener, SEE | WRITE, Permissions::empty()),
    };
    overwrites.push(opener_rights);
    if let Some(claimer) = claimer.filter(|c| *c != opener && stage != Stage::Closed) {
        overwrites.push(member(claimer, SEE | WRITE, Permissions::empty()));
    }
    if let Some(bot) = bot {
        overwrites.push(member(
            bot,
            SEE | WRITE | Permissions::MANAGE_CHANNELS | Permissions::MANAGE_ROLES,
            Permissions::empty(),
        ));
    }
    overwrites
}

/// What a member added with `/ticket add` may do: see, write, read the history, attach
/// files; once the ticket is closed, read only, like the opener.
pub fn added_member(id: Id<UserMarker>, stage: Stage) -> PermissionOverwrite {
    const ADDED: Permissions = Permissions::VIEW_CHANNEL
        .union(Permissions::SEND_MESSAGES)
        .union(Permissions::READ_MESSAGE_HISTORY)
        .union(Permissions::ATTACH_FILES);
    match stage {
        Stage::Closed => member(id, SEE, WRITE),
        _ => member(id, ADDED, Permissions::empty()),
    }
}

/// The same overwrite in the form the single-overwrite endpoint takes.
pub fn for_http(
    overwrite: &PermissionOverwrite,
) -> twilight_model::http::permission_overwrite::PermissionOverwrite {
    use twilight_model::http::permission_overwrite as http;
    http::PermissionOverwrite {
        allow: Some(overwrite.allow),
        deny: Some(overwrite.deny),
        id: overwrite.id,
        kind: match overwrite.kind {
            PermissionOverwriteType::Member => http::PermissionOverwriteType::Member,
            _ => http::PermissionOverwriteType::Role,
        },
    }
}
