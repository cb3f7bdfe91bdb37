//! The opener's rating from the DM sent at a ticket's end: a click on `1` … `5` stores it (one
//! per ticket), then offers a modal for an optional comment, and the DM shows the rating with
//! its buttons disabled. The ticket's actor is usually gone by then (a closed ticket's stops
//! after 30 s, a deleted one's at once), so this writes through the database itself; as
//! everywhere, the row and its audit row are written before Discord is answered.

use std::sync::Arc;

use twilight_model::application::interaction::Interaction;

use crate::audit::AuditAction;
use crate::db::models::{NewAuditEntry, Rating};
use crate::db::{now_ms, queries};
use crate::error::{Error, Result};
use crate::texts;
use crate::tickets::buttons::{self, RatingClick};
use crate::tickets::context::Ctx;
use crate::tickets::policy;
use crate::tickets::port::{GREEN, LogEntry, ORANGE, Post};
use crate::who::Who;

/// A click on a rating button.
pub async fn rate(ctx: Arc<Ctx>, interaction: Box<Interaction>, click: RatingClick) {
    let outcome = store_rating(&ctx, &interaction, click).await;
    answer_failure(&ctx, &interaction, click.ticket, outcome).await;
}

/// The comment modal was submitted.
pub async fn comment(
    ctx: Arc<Ctx>,
    interaction: Box<Interaction>,
    ticket: i64,
    text: Option<String>,
) {
    let outcome = store_comment(&ctx, &interaction, ticket, text).await;
    answer_failure(&ctx, &interaction, ticket, outcome).await;
}

async fn answer_failure(ctx: &Ctx, interaction: &Interaction, ticket: i64, outcome: Result<()>) {
    if let Err(err) = outcome {
        tracing::error!(ticket, code = err.code(), error = %err, "rating failed");
        let _ = ctx
            .discord
            .ephemeral(interaction, texts::action_failed(&err))
            .await;
    }
}

/// Ephemeral answer, audit row and log line; nothing else changes.
async fn refuse(
    ctx: &Ctx,
    interaction: &Interaction,
    ticket: Option<i64>,
    who: &Who,
    text: &str,
) -> Result<()> {
    let entry = NewAuditEntry::new(ticket, AuditAction::Refused, Some(who), text);
    ctx.db
        .write(move |conn| queries::audit(conn, &entry))
        .await?;
    ctx.discord.ephemeral(interaction, text).await?;
    ctx.discord.log(LogEntry {
        title: texts::LOG_REFUSED,
        ticket,
        actor: Some(who),
        detail: text.to_owned(),
        color: ORANGE,
    });
    Ok(())
}

async fn store_rating(ctx: &Ctx, interaction: &Interaction, click: RatingClick) -> Result<()> {
    let Some(who) = Who::of(interaction) else {
        return Ok(());
    };
    let id = click.ticket;
    let ticket = match ctx.db.run(move |conn| queries::ticket(conn, id)).await {
        Ok(ticket) => ticket,
        Err(Error::TicketNotFound(_)) => {
            return refuse(ctx, interaction, None, &who, texts::RATING_UNKNOWN_TICKET).await;
        }
        Err(err) => return Err(err),
    };
    if let Err(text) = policy::rate(who.id, &ticket) {
        return refuse(ctx, interaction, Some(id), &who, &text).await;
    }
    let rating = Rating {
        ticket_id: id,
        rater_id: crate::ids::stored(who.id),
        stars: click.stars,
        comment: None,
        rated_at: now_ms(),
        commented_at: None,
    };
    let detail = format!("{} von 5", click.stars);
    let entry = NewAuditEntry::new(Some(id), AuditAction::Rated, Some(&who), &detail);
    let stored = ctx
        .db
        .write(move |conn| {
            if !queries::insert_rating(conn, &rating)? {
                return Ok(false);
            }
            queries::audit(conn, &entry)?;
            Ok(true)
        })
        .await?;
    if !stored {
        return refuse(ctx, interaction, Some(id), &who, texts::RATING_TWICE).await;
    }
    // A modal must be the first answer to the click.
    ctx.discord
        .open_modal(
            interaction,
            &buttons::rating_comment_id(id),
            texts::RATING_COMMENT_TITLE,
            buttons::text_field(texts::RATING_COMMENT_LABEL, false),
        )
        .await?;
    if let Some(message) = &interaction.message {
        let edit = Post {
            content: &texts::rated_dm(click.stars),
            embeds: message.embeds.clone(),
            components: buttons::rating_row(id, true),
            mentions: None,
        };
        if let Err(err) = ctx
            .discord
            .edit_message(message.channel_id, message.id, edit)
            .await
        {
            tracing::warn!(ticket = id, error = %err, "could not show the rating in the DM");
        }
    }
    ctx.discord.log(LogEntry {
        title: texts::LOG_RATED,
        ticket: Some(id),
        actor: Some(&who),
        detail,
        color: GREEN,
    });
    Ok(())
}

async fn store_comment(
    ctx: &Ctx,
    interaction: &Interaction,
    id: i64,
    text: Option<String>,
) -> Result<()> {
    let Some(who) = Who::of(interaction) else {
        return Ok(());
    };
    let ticket = match ctx.db.run(move |conn| queries::ticket(conn, id)).await {
        Ok(ticket) => ticket,
        Err(Error::TicketNotFound(_)) => {
            return refuse(ctx, interaction, None, &who, texts::RATING_UNKNOWN_TICKET).await;
        }
        Err(err) => return Err(err),
    };
    if let Err(refusal) = policy::rate(who.id, &ticket) {
        return refuse(ctx, interaction, Some(id), &who, &refusal).await;
    }
    // The comment is optional: an empty one leaves the rating as it is.
    let Some(text) = text else {
        ctx.discord
            .ephemeral(interaction, texts::RATING_THANKS)
            .await?;
        return Ok(());
    };
    let entry = NewAuditEntry::new(Some(id), AuditAction::RatingCommented, Some(&who), &text);
    let comment = text.clone();
    let stored = ctx
        .db
        .write(move |conn| {
            if !queries::set_rating_comment(conn, id, &comment, now_ms())? {
                return Ok(false);
            }
            queries::audit(conn, &entry)?;
            Ok(true)
        })
        .await?;
    if !stored {
        return refuse(
            ctx,
            interaction,
            Some(id),
            &who,
            texts::RATING_COMMENT_TWICE,
        )
        .await;
    }
    ctx.discord
        .ephemeral(interaction, texts::RATING_COMMENT_SAVED)
        .await?;
    ctx.discord.log(LogEntry {
        title: texts::LOG_RATING_COMMENT,
        ticket: Some(id),
        actor: Some(&who),
        detail: text,
        color: GREEN,
    });
    Ok(())
}
