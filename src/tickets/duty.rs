//! `/duty on|off`: who among the supporters is on duty, for `AUTO_ASSIGN`. Stored with its audit
//! row before the member is told.

use twilight_model::application::interaction::Interaction;
use twilight_model::application::interaction::application_command::{
    CommandData, CommandOptionValue,
};

use crate::audit::AuditAction;
use crate::db::models::NewAuditEntry;
use crate::db::{now_ms, queries};
use crate::error::Result;
use crate::ids;
use crate::texts;
use crate::tickets::context::Ctx;
use crate::tickets::policy::{self, Asker};
use crate::tickets::port::{BLUE, LogEntry, ORANGE};
use crate::who::{self, Who};

/// The command's name; its two subcommands below.
pub const DUTY: &str = "duty";
pub const ON: &str = "on";
pub const OFF: &str = "off";

/// `true` for `/duty on`, `false` for `/duty off`; None for anything else.
pub fn from_data(data: &CommandData) -> Option<bool> {
    let sub = data.options.first()?;
    if !matches!(sub.value, CommandOptionValue::SubCommand(_)) {
        return None;
    }
    match sub.name.as_str() {
        ON => Some(true),
        OFF => Some(false),
        _ => None,
    }
}

/// Puts the presser on or off duty; anyone without a staff role is refused (audited, logged).
pub async fn duty_command(ctx: &Ctx, interaction: &Interaction, on: bool) -> Result<()> {
    let who = Who::of(interaction);
    let asker = Asker {
        id: who.as_ref().map(|w| w.id),
        roles: who::roles(interaction),
    };
    let who = match (who, policy::duty(&ctx.config.roles, asker)) {
        (Some(who), Ok(())) => who,
        (who, Err(text)) => return refuse(ctx, interaction, who.as_ref(), &text).await,
        // Staff roles without an author: nobody to put on duty.
        (None, Ok(())) => return Ok(()),
    };
    let action = if on {
        AuditAction::DutyOn
    } else {
        AuditAction::DutyOff
    };
    let entry = NewAuditEntry::new(None, action, Some(&who), String::new());
    let (user, name) = (ids::stored(who.id), who.name.clone());
    let changed = ctx
        .db
        .write(move |conn| {
            let changed = queries::set_on_duty(conn, user, &name, on, now_ms())?;
            if changed {
                queries::audit(conn, &entry)?;
            }
            Ok(changed)
        })
        .await?;
    let text = match (on, changed) {
        (true, true) => texts::DUTY_ON,
        (false, true) => texts::DUTY_OFF,
        (true, false) => texts::DUTY_ALREADY_ON,
        (false, false) => texts::DUTY_ALREADY_OFF,
    };
    ctx.discord.ephemeral(interaction, text).await?;
    if changed {
        ctx.discord.log(LogEntry {
            title: texts::LOG_DUTY,
            ticket: None,
            actor: Some(&who),
            detail: text.to_owned(),
            color: BLUE,
        });
    }
    Ok(())
}

async fn refuse(ctx: &Ctx, interaction: &Interaction, who: Option<&Who>, text: &str) -> Result<()> {
    let detail = format!("/{DUTY}: {text}");
    let entry = NewAuditEntry::new(None, AuditAction::Refused, who, detail.clone());
    ctx.db
        .write(move |conn| queries::audit(conn, &entry))
        .await?;
    ctx.discord.ephemeral(interaction, text).await?;
    ctx.discord.log(LogEntry {
        title: texts::LOG_REFUSED,
        ticket: None,
        actor: who,
        detail,
        color: ORANGE,
    });
    Ok(())
}
