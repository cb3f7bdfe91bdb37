//! Slash commands: their registration, `/setup_ticket_button`, and the category rights set at
//! start-up.

use twilight_http::Client;
use twilight_model::application::command::{Command, CommandType};
use twilight_model::application::interaction::Interaction;
use twilight_model::application::interaction::InteractionContextType;
use twilight_model::guild::Permissions;
use twilight_model::id::Id;
use twilight_model::id::marker::ApplicationMarker;
use twilight_util::builder::command::{
    CommandBuilder, StringBuilder, SubCommandBuilder, UserBuilder,
};

use super::{rest, staff_lists};
use crate::db::queries;
use crate::error::Result;
use crate::overwrites::{self, Stage};
use crate::texts;
use crate::tickets::buttons;
use crate::tickets::commands as ticket;
use crate::tickets::context::Ctx;
use crate::tickets::duty;
use crate::tickets::policy::{self, Asker};
use crate::tickets::port::{GREEN, LogEntry, ORANGE, Post, simple_embed};
use crate::who::{self, Who};

pub const SETUP_TICKET_BUTTON: &str = "setup_ticket_button";
pub const TICKET_TRANSCRIPT: &str = "ticket_transcript";

/// Who sees the admins' commands in Discord's command list (server admins can change it per
/// role in the server settings); the bot checks `ADMIN_ROLE_ID` itself in any case.
const ADMIN_COMMANDS: Permissions = Permissions::MANAGE_GUILD;

pub fn definitions() -> Vec<Command> {
    vec![
        CommandBuilder::new(
            SETUP_TICKET_BUTTON,
            "Erstellt im aktuellen Kanal eine Nachricht mit einem Ticket-Button (nur Admin).",
            CommandType::ChatInput,
        )
        .default_member_permissions(ADMIN_COMMANDS)
        .build(),
        CommandBuilder::new(
            TICKET_TRANSCRIPT,
            "Erzeugt ein Transkript des aktuellen Tickets.",
            CommandType::ChatInput,
        )
        .build(),
        ticket_command(),
        duty_command(),
        tag_command(),
        staff_lists::blacklist_command(ADMIN_COMMANDS),
        staff_lists::tags_command(ADMIN_COMMANDS),
    ]
}

/// `/duty on|off`: a supporter says whether tickets may be assigned to them (`AUTO_ASSIGN`).
fn duty_command() -> Command {
    CommandBuilder::new(
        duty::DUTY,
        "Dienst für die automatische Zuweisung von Tickets.",
        CommandType::ChatInput,
    )
    .contexts([InteractionContextType::Guild])
    .option(SubCommandBuilder::new(
        duty::ON,
        "Du bist im Dienst: neue Tickets können dir zugewiesen werden.",
    ))
    .option(SubCommandBuilder::new(
        duty::OFF,
        "Du bist nicht mehr im Dienst.",
    ))
    .build()
}

/// `/tag name`: staff post a saved text in a ticket; the names autocomplete.
fn tag_command() -> Command {
    CommandBuilder::new(
        ticket::TAG,
        "Sendet einen gespeicherten Text (Tag) in dieses Ticket.",
        CommandType::ChatInput,
    )
    .contexts([InteractionContextType::Guild])
    .option(
        StringBuilder::new("name", "Der Name des Tags.")
            .required(true)
            .autocomplete(true)
            .max_length(100),
    )
    .build()
}

/// `/ticket …`: what staff do inside a ticket. Everyone sees it (the opener may not use most of
/// it, which the actor says); it exists only in the server, not in DMs.
fn ticket_command() -> Command {
    let user = |description: &str| UserBuilder::new("user", description).required(true);
    CommandBuilder::new(
        ticket::TICKET,
        "Aktionen im aktuellen Ticket.",
        CommandType::ChatInput,
    )
    .contexts([InteractionContextType::Guild])
    .option(
        SubCommandBuilder::new(
            ticket::CLOSE_REQUEST,
            "Bittet den Ersteller, das Ticket schließen zu lassen.",
        )
        .option(StringBuilder::new("reason", "Grund für das Schließen.").max_length(1000)),
    )
    .option(
        SubCommandBuilder::new(ticket::TRANSFER, "Übergibt das Ticket an ein Teammitglied.")
            .option(user("Das Teammitglied, das das Ticket übernimmt.")),
    )
    .option(
        SubCommandBuilder::new(ticket::ADD, "Gibt einem Mitglied Zugang zu diesem Ticket.")
            .option(user("Das Mitglied, das hinzugefügt wird.")),
    )
    .option(
        SubCommandBuilder::new(
            ticket::REMOVE,
            "Nimmt einem Mitglied den Zugang zu diesem Ticket.",
        )
        .option(user("Das Mitglied, das entfernt wird.")),
    )
    .option(
        SubCommandBuilder::new(ticket::RENAME, "Benennt den Ticket-Kanal um.").option(
            StringBuilder::new("name", "Der neue Kanalname.")
                .required(true)
                .min_length(1)
                .max_length(100),
        ),
    )
    .build()
}

/// Replaces the guild's commands with ours (bulk overwrite).
pub async fn register(
    ctx: &Ctx,
    http: &Client,
    application_id: Id<ApplicationMarker>,
) -> Result<()> {
    let commands = definitions();
    let client = http.interaction(application_id);
    let guild = ctx.config.guild_id;
    rest::send("register commands", || {
        client.set_guild_commands(guild, &commands)
    })
    .await?;
    tracing::info!(
        commands = ?commands.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        "slash commands registered"
    );
    Ok(())
}

/// Sets the three ticket categories' rights as the original bot did at start-up.
pub async fn fix_category_permissions(ctx: &Ctx, http: &Client) {
    let categories = &ctx.config.categories;
    for (category, stage) in [
        (categories.created, Stage::Created),
        (categories.claimed, Stage::Claimed),
        (categories.closed, Stage::Closed),
    ] {
        for overwrite in overwrites::category(&ctx.config, stage) {
            let overwrite = overwrites::for_http(&overwrite);
            let result = rest::send("category permissions", || {
                http.update_channel_permission(category, &overwrite)
            })
            .await;
            if let Err(err) = result {
                tracing::error!(category = %category, error = %err, "could not set category permissions; check the *_CATEGORY_ID settings and the bot's Manage Roles right");
                break;
            }
        }
    }
    tracing::info!("category permissions set");
}

/// `/setup_ticket_button`: posts the "open ticket" button in the current channel (admins only).
pub async fn setup_ticket_button(ctx: &Ctx, interaction: &Interaction) -> Result<()> {
    let who = Who::of(interaction);
    let asker = Asker {
        id: who.as_ref().map(|w| w.id),
        roles: who::roles(interaction),
    };
    if let Err(text) = policy::setup_button(&ctx.config.roles, asker) {
        ctx.discord.ephemeral(interaction, &text).await?;
        ctx.discord.log(LogEntry {
            title: texts::LOG_REFUSED,
            ticket: None,
            actor: who.as_ref(),
            detail: format!("/{SETUP_TICKET_BUTTON}: {text}"),
            color: ORANGE,
        });
        return Ok(());
    }
    let Some(channel) = interaction.channel.as_ref().map(|c| c.id) else {
        return ctx
            .discord
            .ephemeral(interaction, texts::NOT_A_TICKET)
            .await;
    };
    ctx.discord.defer_ephemeral(interaction).await?;
    let button = Post {
        embeds: vec![simple_embed(
            texts::SETUP_EMBED_TITLE,
            texts::SETUP_EMBED_DESCRIPTION,
            GREEN,
        )],
        components: buttons::open_button_row(),
        ..Post::default()
    };
    let posted = ctx.discord.post("ticket button", channel, button).await?;
    let (channel_id, message_id) = (channel.to_string(), posted.id.to_string());
    ctx.db
        .write(move |conn| {
            queries::set_setting(conn, "TICKET_BUTTON_CHANNEL_ID", &channel_id)?;
            queries::set_setting(conn, "TICKET_BUTTON_MESSAGE_ID", &message_id)
        })
        .await?;
    ctx.discord
        .finish_deferred(interaction, texts::SETUP_DONE)
        .await
}
