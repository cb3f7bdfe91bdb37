//! Giving a claim back ("Freigeben" on the claim message) and handing it to another member of
//! the team (`/ticket transfer user`).

use twilight_model::application::interaction::Interaction;
use twilight_model::id::Id;
use twilight_model::id::marker::UserMarker;

use super::{Flow, TicketState};
use crate::audit::AuditAction;
use crate::db::models::NewAuditEntry;
use crate::db::{now_ms, queries};
use crate::error::Result;
use crate::ids;
use crate::overwrites::Stage;
use crate::texts;
use crate::tickets::policy::{self, Asker};
use crate::tickets::port::{BLUE, GREEN};
use crate::tickets::target;
use crate::who::{self, Who};

/// What the answer adds when the channel's rename waits on Discord.
fn with_rename_note(text: String, name_due: Option<(String, i64)>) -> String {
    match name_due {
        Some((name, due)) => format!("{text}\n{}", texts::rename_later(&name, due)),
        None => text,
    }
}

impl TicketState {
    pub(super) async fn unclaim(&mut self, interaction: &Interaction) -> Result<Flow> {
        let who = Who::of(interaction);
        let asker = Asker {
            id: who.as_ref().map(|w| w.id),
            roles: who::roles(interaction),
        };
        if let Err(text) = policy::unclaim(&self.ctx.config.roles, asker, &self.ticket) {
            return self.refuse(interaction, who.as_ref(), &text).await;
        }
        let Some(by) = who else {
            return Ok(Flow::Continue);
        };
        let detail = format!(
            "freigegeben, vorher bei {}",
            self.ticket.claimed_by.unwrap_or_default()
        );
        self.transition(
            AuditAction::Unclaimed,
            Some(&by),
            &detail,
            queries::set_unclaimed,
        )
        .await?;
        self.reload().await?;
        let text = texts::unclaimed(self.id(), by.id.get());
        self.discord().public(interaction, &text).await?;
        self.apply_channel_stage(Stage::Created, None).await;
        self.log(texts::LOG_UNCLAIMED, Some(&by), text, BLUE);
        Ok(Flow::Continue)
    }

    pub(super) async fn transfer(
        &mut self,
        interaction: &Interaction,
        user: Id<UserMarker>,
    ) -> Result<Flow> {
        let who = Who::of(interaction);
        let asker = Asker {
            id: who.as_ref().map(|w| w.id),
            roles: who::roles(interaction),
        };
        let Some(member) = target::member(self.discord(), interaction, user).await? else {
            return self
                .refuse(interaction, who.as_ref(), texts::NOT_A_MEMBER)
                .await;
        };
        let allowed = policy::transfer(
            &self.ctx.config.roles,
            asker,
            &self.ticket,
            user,
            &member.roles,
        );
        if let Err(text) = allowed {
            return self.refuse(interaction, who.as_ref(), &text).await;
        }
        let Some(by) = who else {
            return Ok(Flow::Continue);
        };
        let limit = self.ctx.config.max_tickets_per_supporter;
        let new = Who {
            id: user,
            name: member.name.clone(),
        };
        let (id, previous) = (self.id(), self.ticket.claimed_by);
        let detail = match previous {
            Some(previous) => format!("von {previous} an {} ({})", user, member.name),
            None => format!("an {} ({})", user, member.name),
        };
        let entry = NewAuditEntry::new(Some(id), AuditAction::Transferred, Some(&by), detail);
        let (target_id, target_name) = (ids::stored(user), member.name.clone());
        let granted = self
            .ctx
            .db
            .write(move |conn| {
                let granted = queries::claim_within_limit(
                    conn,
                    id,
                    target_id,
                    &target_name,
                    i64::from(limit),
                    now_ms(),
                )?;
                if granted {
                    queries::audit(conn, &entry)?;
                }
                Ok(granted)
            })
            .await?;
        if !granted {
            return self
                .refuse(
                    interaction,
                    Some(&by),
                    &texts::target_claim_limit(user.get(), limit),
                )
                .await;
        }
        let sigrid_listened = crate::ai::secretary::listens(&self.ticket);
        self.reload().await?;
        if sigrid_listened {
            self.secretary_steps_back(Some(texts::SECRETARY_STEPS_BACK_CLAIMED))
                .await;
        }
        let waits = self.apply_channel_stage(Stage::Claimed, Some(&new)).await;
        let text = texts::transferred(id, by.id.get(), user.get());
        let answer = with_rename_note(text.clone(), waits);
        self.discord().public(interaction, &answer).await?;
        self.log(texts::LOG_TRANSFERRED, Some(&by), text, GREEN);
        Ok(Flow::Continue)
    }
}
