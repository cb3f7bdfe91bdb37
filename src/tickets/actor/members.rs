//! `/ticket add user` and `/ticket remove user`: one member's own access to this ticket. Who
//! was added is stored, so every later stage change of the channel keeps them.

use twilight_model::application::interaction::Interaction;
use twilight_model::id::Id;
use twilight_model::id::marker::UserMarker;

use super::{Flow, TicketState, report_discord_failure};
use crate::audit::AuditAction;
use crate::db::models::NewAuditEntry;
use crate::db::{now_ms, queries};
use crate::error::Result;
use crate::ids;
use crate::overwrites::{self, Stage};
use crate::texts;
use crate::tickets::policy::{self, Asker};
use crate::tickets::port::{BLUE, ORANGE};
use crate::who::{self, Who};

impl TicketState {
    /// The members added to this ticket; none when the database cannot say (the channel then
    /// gets the rights of its stage alone, and the failure is logged).
    pub(super) async fn added_members(&self) -> Vec<Id<UserMarker>> {
        let id = self.id();
        match self
            .ctx
            .db
            .run(move |conn| queries::ticket_members_of(conn, id))
            .await
        {
            Ok(members) => members.into_iter().filter_map(ids::read).collect(),
            Err(err) => {
                tracing::error!(ticket = id, error = %err, "could not read the ticket's added members");
                Vec::new()
            }
        }
    }

    fn stage(&self) -> Stage {
        match self.ticket.status() {
            crate::db::models::TicketStatus::Claimed => Stage::Claimed,
            status if status.is_active() => Stage::Created,
            _ => Stage::Closed,
        }
    }

    /// Staff only, in an active ticket; the refusal is answered here.
    async fn may_manage(&self, interaction: &Interaction, who: Option<&Who>) -> Result<bool> {
        let asker = Asker {
            id: who.map(|w| w.id),
            roles: who::roles(interaction),
        };
        match policy::manage(&self.ctx.config.roles, asker, &self.ticket) {
            Ok(()) => Ok(true),
            Err(text) => self.refuse(interaction, who, &text).await.map(|_| false),
        }
    }

    pub(super) async fn add_member(
        &mut self,
        interaction: &Interaction,
        user: Id<UserMarker>,
    ) -> Result<Flow> {
        let who = Who::of(interaction);
        if !self.may_manage(interaction, who.as_ref()).await? {
            return Ok(Flow::Continue);
        }
        let Some(by) = who else {
            return Ok(Flow::Continue);
        };
        if ids::stored(user) == self.ticket.opener_id {
            return self
                .refuse(interaction, Some(&by), &texts::already_added(user.get()))
                .await;
        }
        let (id, target, by_id) = (self.id(), ids::stored(user), ids::stored(by.id));
        let text = texts::member_added(user.get());
        let entry = NewAuditEntry::new(Some(id), AuditAction::MemberAdded, Some(&by), text.clone());
        let added = self
            .ctx
            .db
            .write(move |conn| {
                let added = queries::add_ticket_member(conn, id, target, by_id, now_ms())?;
                if added {
                    queries::audit(conn, &entry)?;
                }
                Ok(added)
            })
            .await?;
        if !added {
            return self
                .refuse(interaction, Some(&by), &texts::already_added(user.get()))
                .await;
        }
        if let Some(channel) = self.channel() {
            let overwrite = overwrites::added_member(user, self.stage());
            if let Err(err) = self.discord().set_overwrite(channel, &overwrite).await {
                report_discord_failure(&self.ctx, id, "Mitglied hinzufügen", &err).await;
            }
        }
        self.discord().public(interaction, &text).await?;
        self.log(texts::LOG_MEMBER_ADDED, Some(&by), text, BLUE);
        Ok(Flow::Continue)
    }

    pub(super) async fn remove_member(
        &mut self,
        interaction: &Interaction,
        user: Id<UserMarker>,
    ) -> Result<Flow> {
        let who = Who::of(interaction);
        if !self.may_manage(interaction, who.as_ref()).await? {
            return Ok(Flow::Continue);
        }
        let Some(by) = who else {
            return Ok(Flow::Continue);
        };
        if let Err(text) = policy::remove_member(&self.ticket, user) {
            return self.refuse(interaction, Some(&by), &text).await;
        }
        let (id, target) = (self.id(), ids::stored(user));
        let text = texts::member_removed(user.get());
        let entry = NewAuditEntry::new(
            Some(id),
            AuditAction::MemberRemoved,
            Some(&by),
            text.clone(),
        );
        let removed = self
            .ctx
            .db
            .write(move |conn| {
                let removed = queries::remove_ticket_member(conn, id, target)?;
                if removed {
                    queries::audit(conn, &entry)?;
                }
                Ok(removed)
            })
            .await?;
        if !removed {
            return self
                .refuse(interaction, Some(&by), &texts::not_added(user.get()))
                .await;
        }
        if let Some(channel) = self.channel() {
            match self.discord().remove_overwrite(channel, user).await {
                Ok(()) => {}
                // Gone already: what we wanted.
                Err(err) if err.discord_status() == Some(404) => {}
                Err(err) => report_discord_failure(&self.ctx, id, "Mitglied entfernen", &err).await,
            }
        }
        self.discord().public(interaction, &text).await?;
        self.log(texts::LOG_MEMBER_REMOVED, Some(&by), text, ORANGE);
        Ok(Flow::Continue)
    }
}
