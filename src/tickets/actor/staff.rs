//! The staff's actions on a ticket (claim, close, delete, transcript) and what they do to its
//! channel; who may do each is `tickets::policy`'s to say.

use twilight_model::application::interaction::Interaction;

use super::closing::write_transcript;
use super::{Flow, TicketState, report_discord_failure};
use crate::audit::AuditAction;
use crate::db::models::{NewAuditEntry, TicketStatus};
use crate::db::{now_ms, queries};
use crate::error::Result;
use crate::ids;
use crate::overwrites::{self, Stage};
use crate::texts;
use crate::tickets::buttons;
use crate::tickets::category_fill;
use crate::tickets::policy::{self, Asker, Claim};
use crate::tickets::port::{BLUE, GREEN, ORANGE, Post, RED, Renamed};
use crate::transcript;
use crate::who::{self, Who};

/// The channel name after a claim: `<opener>-<claimer>-<number>`.
fn claimed_channel_name(opener: &str, claimer: &str, number: i64) -> String {
    format!(
        "{}-{}-{number}",
        crate::tickets::open::name_part(opener),
        crate::tickets::open::name_part(claimer)
    )
}

pub(super) fn asker<'a>(interaction: &'a Interaction, who: Option<&Who>) -> Asker<'a> {
    Asker {
        id: who.map(|w| w.id),
        roles: who::roles(interaction),
    }
}

impl TicketState {
    /// Refuses an action: ephemeral answer, audit row, log channel.
    pub(super) async fn refuse(
        &self,
        interaction: &Interaction,
        who: Option<&Who>,
        text: &str,
    ) -> Result<Flow> {
        let entry = NewAuditEntry::new(Some(self.id()), AuditAction::Refused, who, text);
        self.ctx
            .db
            .write(move |conn| queries::audit(conn, &entry))
            .await?;
        self.discord().ephemeral(interaction, text).await?;
        self.log(texts::LOG_REFUSED, who, text.to_owned(), ORANGE);
        Ok(Flow::Continue)
    }

    pub(super) async fn claim(&mut self, interaction: &Interaction) -> Result<Flow> {
        let who = Who::of(interaction);
        let config = &self.ctx.config;
        let claim = match policy::claim(
            &config.roles,
            asker(interaction, who.as_ref()),
            &self.ticket,
        ) {
            Ok(claim) => claim,
            // Without an author there is nobody to answer but a refusal of the roles.
            Err(text) if who.is_some() || !config.roles.is_staff(who::roles(interaction)) => {
                return self.refuse(interaction, who.as_ref(), &text).await;
            }
            Err(_) => return Ok(Flow::Continue),
        };
        let Some(who) = who else {
            return Ok(Flow::Continue);
        };
        let takeover = claim == Claim::Takeover;
        let sigrid_listened = crate::ai::secretary::listens(&self.ticket);
        let limit = config.max_tickets_per_supporter;
        let (id, claimer, claimer_name) = (self.id(), who.id, who.name.clone());
        let previous = self.ticket.claimed_by;
        let granted = self
            .ctx
            .db
            .write(move |conn| {
                let limit = i64::from(limit);
                if !queries::claim_within_limit(
                    conn,
                    id,
                    ids::stored(claimer),
                    &claimer_name,
                    limit,
                    now_ms(),
                )? {
                    return Ok(false);
                }
                let detail = match previous {
                    Some(previous) => format!("übernommen von {previous}"),
                    None => String::new(),
                };
                let claimer_who = Who {
                    id: claimer,
                    name: claimer_name.clone(),
                };
                queries::audit(
                    conn,
                    &NewAuditEntry::new(Some(id), AuditAction::Claimed, Some(&claimer_who), detail),
                )?;
                Ok(true)
            })
            .await?;
        if !granted {
            return self
                .refuse(interaction, Some(&who), &texts::claim_limit(limit))
                .await;
        }
        self.reload().await?;
        let text = if takeover {
            texts::taken_over(id, who.id.get())
        } else {
            texts::claimed(id, who.id.get())
        };
        let answer = Post {
            content: &text,
            components: buttons::unclaim_button_row(),
            ..Post::default()
        };
        self.discord().public_post(interaction, answer).await?;
        if sigrid_listened {
            self.secretary_steps_back(Some(texts::SECRETARY_STEPS_BACK_CLAIMED))
                .await;
        }
        self.apply_channel_stage(Stage::Claimed, Some(&who)).await;
        self.log(texts::LOG_CLAIMED, Some(&who), text, GREEN);
        Ok(Flow::Continue)
    }

    /// Moves, renames and re-permissions the channel for `stage` (members added with `/ticket
    /// add` keep their access). Failures are reported to the log channel: the ticket's state in
    /// the database stays what it is. Returns the name and when (Unix seconds) of a rename
    /// Discord's limit put off.
    pub(super) async fn apply_channel_stage(
        &self,
        stage: Stage,
        claimer: Option<&Who>,
    ) -> Option<(String, i64)> {
        let channel = self.channel()?;
        let Some(opener) = self.opener() else {
            tracing::error!(
                ticket = self.id(),
                "the opener is no Discord id; channel left as it is"
            );
            return None;
        };
        let config = &self.ctx.config;
        let parent = match stage {
            Stage::Created => config.categories.created,
            Stage::Claimed => config.categories.claimed,
            Stage::Closed => config.categories.closed,
        };
        let claimer_id = claimer.map(|c| c.id);
        let mut overwrites = overwrites::ticket_channel(
            config,
            stage,
            opener,
            claimer_id,
            self.ctx.bot_user_id.get().copied(),
        );
        overwrites.extend(
            self.added_members()
                .await
                .into_iter()
                .filter(|m| Some(*m) != claimer_id && *m != opener)
                .map(|m| overwrites::added_member(m, stage)),
        );
        let name = match (stage, claimer) {
            (Stage::Claimed, Some(c)) => Some(claimed_channel_name(
                &self.ticket.opener_name,
                &c.name,
                self.id(),
            )),
            (Stage::Created, _) => Some(crate::tickets::open::channel_name(
                &self.ticket.opener_name,
                self.id(),
            )),
            _ => None,
        };
        let result = self
            .discord()
            .move_channel(channel, parent, &overwrites, name.as_deref())
            .await;
        match result {
            Ok(Renamed::Done) => {
                category_fill::check(&self.ctx, parent).await;
                None
            }
            Ok(Renamed::Later(after)) => {
                category_fill::check(&self.ctx, parent).await;
                let name = name.unwrap_or_default();
                let due = self.rename_later(&name, after, claimer).await?;
                Some((name, due))
            }
            Err(err) => {
                report_discord_failure(&self.ctx, self.id(), "Kanal verschieben", &err).await;
                None
            }
        }
    }

    async fn save_transcript(&self, kind: &str, who: Option<&Who>) -> Result<(usize, String)> {
        let id = self.id();
        let kind = kind.to_owned();
        let who = who.cloned();
        self.ctx
            .db
            .write(move |conn| write_transcript(conn, id, &kind, who.as_ref()))
            .await
    }

    pub(super) async fn close(&mut self, interaction: &Interaction) -> Result<Flow> {
        let who = Who::of(interaction);
        let allowed = policy::close(
            &self.ctx.config.roles,
            asker(interaction, who.as_ref()),
            &self.ticket,
        );
        if let Err(text) = allowed {
            return self.refuse(interaction, who.as_ref(), &text).await;
        }
        // Persisted before the presser is answered; `close_by` does both halves at once.
        self.record_close(who.as_ref(), None, None).await?;
        self.discord()
            .public(interaction, &texts::closing(self.id()))
            .await?;
        self.announce_close(who.as_ref()).await;
        Ok(Flow::Linger)
    }

    pub(super) async fn delete(&mut self, interaction: &Interaction) -> Result<Flow> {
        let who = Who::of(interaction);
        let allowed = policy::delete(
            &self.ctx.config.roles,
            asker(interaction, who.as_ref()),
            &self.ticket,
        );
        if let Err(text) = allowed {
            return self.refuse(interaction, who.as_ref(), &text).await;
        }
        let id = self.id();
        let was_active = self.ticket.status().is_active();
        self.save_transcript("delete", who.as_ref()).await?;
        self.transition(AuditAction::Deleted, who.as_ref(), "", queries::set_deleted)
            .await?;
        self.discord()
            .ephemeral(interaction, &texts::deleting(id))
            .await?;
        self.remove_channel("Kanal löschen").await;
        self.log(texts::LOG_DELETED, who.as_ref(), String::new(), RED);
        // A closed ticket's opener had their DM at the close.
        if was_active {
            self.send_end_dm(who.as_ref(), None).await;
        }
        Ok(Flow::Stop)
    }

    async fn remove_channel(&self, what: &str) {
        let Some(channel) = self.channel() else {
            return;
        };
        self.ctx.channels.remove(channel);
        match self.discord().delete_channel(channel).await {
            Ok(_) => {}
            // Already gone: what we wanted.
            Err(err) if err.discord_status() == Some(404) => {}
            Err(err) => report_discord_failure(&self.ctx, self.id(), what, &err).await,
        }
    }

    pub(super) async fn channel_gone(&mut self) -> Result<()> {
        if let Some(channel) = self.channel() {
            self.ctx.channels.remove(channel);
        }
        if self.ticket.status() == TicketStatus::Deleted {
            return Ok(());
        }
        self.save_transcript("channel_deleted", None).await?;
        self.transition(
            AuditAction::ChannelDeleted,
            None,
            "Kanal in Discord gelöscht",
            queries::set_deleted,
        )
        .await?;
        self.log(texts::LOG_CHANNEL_GONE, None, String::new(), RED);
        Ok(())
    }

    pub(super) async fn cleanup(&mut self) -> Result<Flow> {
        if self.ticket.status() != TicketStatus::Closed {
            return Ok(Flow::Continue);
        }

        self.transition(
            AuditAction::Cleanup,
            None,
            "Kanal nach Ablauf der Aufbewahrungszeit gelöscht",
            queries::set_deleted,
        )
        .await?;
        self.remove_channel("Kanal aufräumen").await;
        self.log(texts::LOG_CLEANUP, None, String::new(), ORANGE);
        Ok(Flow::Stop)
    }

    pub(super) async fn transcript_command(&mut self, interaction: &Interaction) -> Result<Flow> {
        let who = Who::of(interaction);
        if let Err(text) =
            policy::transcript(&self.ctx.config.roles, asker(interaction, who.as_ref()))
        {
            return self.refuse(interaction, who.as_ref(), &text).await;
        }
        let (count, _) = self.save_transcript("manual", who.as_ref()).await?;
        let id = self.id();
        let (ticket, messages) = self
            .ctx
            .db
            .run(move |conn| Ok((queries::ticket(conn, id)?, queries::messages_of(conn, id)?)))
            .await?;
        let links = crate::tickets::transcript_files::file_links(&self.ctx, id).await;
        let html = transcript::render_html(&ticket, &messages, &links);
        self.discord()
            .ephemeral_with_file(
                interaction,
                &texts::transcript_saved(id, count),
                format!("ticket-{id}.html"),
                html.into_bytes(),
            )
            .await?;
        let entry = NewAuditEntry::new(
            Some(id),
            AuditAction::Transcript,
            who.as_ref(),
            format!("{count} Nachrichten"),
        );
        self.ctx
            .db
            .write(move |conn| queries::audit(conn, &entry))
            .await?;
        self.log(
            texts::LOG_TRANSCRIPT,
            who.as_ref(),
            format!("{count} Nachrichten"),
            BLUE,
        );
        Ok(Flow::Continue)
    }
}
