//! `/ticket closerequest [reason]`: staff ask the opener whether the ticket may close. The
//! opener confirms ("Schließen bestätigen": closed by the requesting staff member, with the
//! reason) or keeps it open ("Offen lassen"); no answer within `CLOSE_REQUEST_TIMEOUT` closes
//! it. The request is a row; this actor owns its timer and rebuilds it from the row after a
//! restart, so an overdue request closes at start.

use std::time::Duration;

use ractor::ActorRef;
use twilight_model::application::interaction::Interaction;
use twilight_model::channel::message::AllowedMentions;
use twilight_model::id::Id;

use super::staff::asker;
use super::{Flow, TicketMsg, TicketState};
use crate::audit::AuditAction;
use crate::db::models::{CloseRequest, NewAuditEntry, NewCloseRequest};
use crate::db::{now_ms, queries};
use crate::error::Result;
use crate::texts;
use crate::tickets::buttons;
use crate::tickets::policy;
use crate::tickets::port::{BLUE, Post};
use crate::who::Who;

impl TicketState {
    pub(super) async fn request_close(
        &mut self,
        myself: &ActorRef<TicketMsg>,
        interaction: &Interaction,
        reason: Option<String>,
    ) -> Result<Flow> {
        let who = Who::of(interaction);
        let config = &self.ctx.config;
        if let Err(text) = policy::close_request(
            &config.roles,
            asker(interaction, who.as_ref()),
            &self.ticket,
        ) {
            return self.refuse(interaction, who.as_ref(), &text).await;
        }
        let (Some(who), Some(opener), Some(channel)) = (who, self.opener(), self.channel()) else {
            return Ok(Flow::Continue);
        };
        let id = self.id();
        let timeout = config.close_request_timeout;
        let now = now_ms();
        let request = NewCloseRequest {
            ticket_id: id,
            requested_by: crate::ids::stored(who.id),
            requested_by_name: who.name.clone(),
            reason: reason.clone(),
            state: CloseRequest::PENDING,
            created_at: now,
            due_at: now.saturating_add(i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX)),
        };
        let entry = NewAuditEntry::new(
            Some(id),
            AuditAction::CloseRequested,
            Some(&who),
            texts::closed_log(reason.as_deref()),
        );
        let stored = self
            .ctx
            .db
            .write(move |conn| {
                if queries::pending_close_request(conn, id)?.is_some() {
                    return Ok(None);
                }
                let stored = queries::insert_close_request(conn, request)?;
                queries::audit(conn, &entry)?;
                Ok(Some(stored))
            })
            .await?;
        let Some(request) = stored else {
            return self
                .refuse(interaction, Some(&who), texts::CLOSE_REQUEST_ALREADY)
                .await;
        };
        self.discord()
            .ephemeral(interaction, texts::CLOSE_REQUEST_SENT)
            .await?;
        self.schedule_close_request(myself, &request);
        let content = texts::close_request(
            opener.get(),
            who.id.get(),
            reason.as_deref(),
            request.due_at / 1000,
        );
        let post = Post {
            content: &content,
            components: buttons::close_request_row(request.id, false),
            // Only the opener is pinged; the staff member is named.
            mentions: Some(AllowedMentions {
                users: vec![opener],
                ..AllowedMentions::default()
            }),
            ..Post::default()
        };
        match self.discord().post("close request", channel, post).await {
            Ok(posted) => {
                let (request_id, message_id) = (request.id, crate::ids::stored(posted.id));
                self.ctx
                    .db
                    .write(move |conn| {
                        queries::set_close_request_message(conn, request_id, message_id)
                    })
                    .await?;
                let _ = self.store(&posted, None).await;
            }
            Err(err) => {
                super::report_discord_failure(&self.ctx, id, "Schließanfrage senden", &err).await
            }
        }
        self.log(
            texts::LOG_CLOSE_REQUESTED,
            Some(&who),
            texts::closed_log(reason.as_deref()),
            BLUE,
        );
        Ok(Flow::Continue)
    }

    /// The timer of `request`: at its due time the actor hears `CloseRequestDue`.
    pub(super) fn schedule_close_request(
        &self,
        myself: &ActorRef<TicketMsg>,
        request: &CloseRequest,
    ) {
        let left = u64::try_from(request.due_at.saturating_sub(now_ms())).unwrap_or(0);
        let id = request.id;
        myself.send_after(Duration::from_millis(left), move || {
            TicketMsg::CloseRequestDue(id)
        });
    }

    /// After a start: the pending request's timer again (at once when it fell due meanwhile).
    pub(super) async fn resume_close_request(&self, myself: &ActorRef<TicketMsg>) {
        let id = self.id();
        match self
            .ctx
            .db
            .run(move |conn| queries::pending_close_request(conn, id))
            .await
        {
            Ok(Some(request)) => self.schedule_close_request(myself, &request),
            Ok(None) => {}
            Err(err) => {
                tracing::error!(ticket = id, error = %err, "could not read the pending close request")
            }
        }
    }

    async fn request_for(&self, request: i64) -> Result<Option<CloseRequest>> {
        let ticket = self.id();
        Ok(self
            .ctx
            .db
            .run(move |conn| queries::close_request(conn, request))
            .await?
            .filter(|r| r.ticket_id == ticket && r.is_pending()))
    }

    /// The opener's buttons of the request's message, disabled, with `note` below its text.
    async fn settle_request_message(&self, request: &CloseRequest, note: &str) {
        let (Some(channel), Some(message)) = (
            self.channel(),
            request.message_id.and_then(crate::ids::read),
        ) else {
            return;
        };
        let content = format!(
            "{}\n\n{note}",
            texts::close_request(
                self.opener().map_or(0, Id::get),
                crate::ids::read::<twilight_model::id::marker::UserMarker>(request.requested_by)
                    .map_or(0, Id::get),
                request.reason.as_deref(),
                request.due_at / 1000,
            )
        );
        let edit = Post {
            content: &content,
            components: buttons::close_request_row(request.id, true),
            ..Post::default()
        };
        if let Err(err) = self.discord().edit_message(channel, message, edit).await {
            super::report_discord_failure(&self.ctx, self.id(), "Schließanfrage beenden", &err)
                .await;
        }
    }

    pub(super) async fn confirm_close(
        &mut self,
        interaction: &Interaction,
        request: i64,
    ) -> Result<Flow> {
        let who = Who::of(interaction);
        if let Err(text) =
            policy::answer_close_request(asker(interaction, who.as_ref()), &self.ticket)
        {
            return self.refuse(interaction, who.as_ref(), &text).await;
        }
        let Some(pending) = self.request_for(request).await? else {
            return self
                .refuse(interaction, who.as_ref(), texts::CLOSE_REQUEST_NOT_PENDING)
                .await;
        };
        let requester = requester(&pending);
        let answered = Some((pending.id, CloseRequest::CONFIRMED));
        if !self
            .record_close(requester.as_ref(), pending.reason.as_deref(), answered)
            .await?
        {
            return self
                .refuse(interaction, who.as_ref(), texts::CLOSE_REQUEST_NOT_PENDING)
                .await;
        }
        let opener = who.as_ref().map_or(0, |w| w.id.get());
        let text = format!(
            "{} {}",
            texts::close_request_confirmed(opener),
            texts::closing(self.id())
        );
        self.discord().public(interaction, &text).await?;
        self.settle_request_message(&pending, &texts::close_request_confirmed(opener))
            .await;
        self.announce_close(requester.as_ref()).await;
        Ok(Flow::Linger)
    }

    pub(super) async fn keep_open(
        &mut self,
        interaction: &Interaction,
        request: i64,
    ) -> Result<Flow> {
        let who = Who::of(interaction);
        if let Err(text) =
            policy::answer_close_request(asker(interaction, who.as_ref()), &self.ticket)
        {
            return self.refuse(interaction, who.as_ref(), &text).await;
        }
        let Some(who) = who else {
            return Ok(Flow::Continue);
        };
        let id = self.id();
        let entry = NewAuditEntry::new(Some(id), AuditAction::CloseRequestKept, Some(&who), "");
        let kept = self
            .ctx
            .db
            .write(move |conn| {
                let pending = queries::close_request(conn, request)?
                    .filter(|r| r.ticket_id == id && r.is_pending());
                let Some(pending) = pending else {
                    return Ok(None);
                };
                queries::answer_close_request(conn, request, CloseRequest::KEPT, now_ms())?;
                queries::audit(conn, &entry)?;
                Ok(Some(pending))
            })
            .await?;
        let Some(pending) = kept else {
            return self
                .refuse(interaction, Some(&who), texts::CLOSE_REQUEST_NOT_PENDING)
                .await;
        };
        let text = texts::close_request_kept(who.id.get());
        self.discord().public(interaction, &text).await?;
        self.settle_request_message(&pending, texts::CLOSE_REQUEST_KEPT)
            .await;
        self.log(texts::LOG_CLOSE_REQUEST_KEPT, Some(&who), text, BLUE);
        Ok(Flow::Continue)
    }

    /// The timer of request `request` ran out: closed unless answered meanwhile.
    pub(super) async fn close_request_due(
        &mut self,
        myself: &ActorRef<TicketMsg>,
        request: i64,
    ) -> Result<Flow> {
        if !self.ticket.status().is_active() {
            return Ok(Flow::Continue);
        }
        let Some(pending) = self.request_for(request).await? else {
            return Ok(Flow::Continue);
        };
        if pending.due_at > now_ms() {
            // Woken early (a clock step): wait for the rest.
            self.schedule_close_request(myself, &pending);
            return Ok(Flow::Continue);
        }
        let requester = requester(&pending);
        let answered = Some((pending.id, CloseRequest::EXPIRED));
        if !self
            .record_close(requester.as_ref(), pending.reason.as_deref(), answered)
            .await?
        {
            return Ok(Flow::Continue);
        }
        self.settle_request_message(&pending, texts::CLOSE_REQUEST_EXPIRED)
            .await;
        self.announce_close(requester.as_ref()).await;
        Ok(Flow::Linger)
    }
}

/// The staff member who asked: the close is theirs.
fn requester(request: &CloseRequest) -> Option<Who> {
    crate::ids::read(request.requested_by).map(|id| Who {
        id,
        name: request.requested_by_name.clone(),
    })
}
