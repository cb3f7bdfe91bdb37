//! The ticket's own inactivity timer (`AUTO_CLOSE_AFTER`): one `send_after` at a time, armed
//! for what `tickets::inactivity` says is due next and re-armed when someone writes. Each arming
//! gets a new generation, so a timer message that was already on its way when the timer was
//! re-armed is recognised as stale and ignored. After a restart the clock is read back from the
//! stored messages and marks.

use std::time::Duration;

use ractor::ActorRef;
use twilight_model::channel::message::AllowedMentions;

use super::{CLOSED_LINGER, Flow, TicketMsg, TicketState, report_discord_failure, retry_later};
use crate::audit::AuditAction;
use crate::config::AutoClose;
use crate::db::models::NewAuditEntry;
use crate::db::queries::{self, InactivityMarks, LastWritten, Written};
use crate::db::{now_ms, queries::set_inactivity_marks};
use crate::error::Result;
use crate::texts;
use crate::tickets::inactivity::{self, Due};
use crate::tickets::port::{ORANGE, Post};

/// What the actor knows of its ticket's waiting, and its armed timer.
#[derive(Default)]
pub(super) struct Clock {
    last: LastWritten,
    marks: InactivityMarks,
    generation: u32,
    armed: Option<Due>,
    timer: Option<tokio::task::AbortHandle>,
}

impl Drop for Clock {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.take() {
            timer.abort();
        }
    }
}

/// What a message to the actor means for its clock.
pub(super) enum Touch {
    Nothing,
    /// A person wrote; the opener or someone else.
    Heard {
        by_opener: bool,
        at: Written,
    },
    /// The ticket or its messages may have changed otherwise (Sigrid, a click, a catch-up):
    /// read the clock again from the database.
    Reload,
}

impl Touch {
    pub(super) fn of(message: &TicketMsg, opener: i64) -> Self {
        match message {
            TicketMsg::MessageCreated(message, _) if message.author.bot => Self::Nothing,
            TicketMsg::MessageCreated(message, _) => Self::Heard {
                by_opener: crate::ids::stored(message.author.id) == opener,
                at: Written {
                    at: message.timestamp.as_micros() / 1000,
                    id: crate::ids::stored(message.id),
                },
            },
            TicketMsg::Button(..)
            | TicketMsg::Command(..)
            | TicketMsg::AiDone(_)
            | TicketMsg::Backfilled { .. }
            | TicketMsg::PostWelcome(_) => Self::Reload,
            _ => Self::Nothing,
        }
    }
}

impl TicketState {
    fn auto_close(&self) -> Option<AutoClose> {
        self.ctx.config.auto_close
    }

    /// Reads the clock and arms the timer of an open ticket.
    pub(super) async fn inactivity_start(&mut self, myself: &ActorRef<TicketMsg>) {
        if self.auto_close().is_none() || !self.ticket.status().is_active() {
            return;
        }
        self.inactivity_touched(myself, Touch::Reload).await;
    }

    pub(super) async fn inactivity_touched(&mut self, myself: &ActorRef<TicketMsg>, touch: Touch) {
        if self.auto_close().is_none() {
            return;
        }
        match touch {
            Touch::Nothing => return,
            Touch::Heard { by_opener, at } if self.inactivity.is_some() => {
                if let Some(clock) = self.inactivity.as_mut() {
                    let last = if by_opener {
                        &mut clock.last.opener
                    } else {
                        &mut clock.last.staff
                    };
                    *last = (*last).max(Some(at));
                }
            }
            Touch::Heard { .. } | Touch::Reload => {
                if let Err(err) = self.inactivity_load().await {
                    tracing::error!(ticket = self.id(), error = %err, "could not read the inactivity clock");
                    return;
                }
            }
        }
        self.inactivity_arm(myself);
    }

    async fn inactivity_load(&mut self) -> Result<()> {
        let (id, opener) = (self.id(), self.ticket.opener_id);
        let (last, marks) = self
            .ctx
            .db
            .run(move |conn| {
                Ok((
                    queries::last_written(conn, id, opener)?,
                    queries::inactivity_marks(conn, id)?,
                ))
            })
            .await?;
        let clock = self.inactivity.get_or_insert_with(Box::default);
        clock.last = last;
        clock.marks = marks;
        Ok(())
    }

    fn next_due(&self) -> Option<Due> {
        let setting = self.auto_close()?;
        let clock = self.inactivity.as_ref()?;
        inactivity::waiting(&self.ticket, &clock.last)
            .and_then(|waiting| inactivity::due(waiting, clock.marks, setting))
    }

    /// Arms the timer for what is due next, unless it is armed for that already.
    fn inactivity_arm(&mut self, myself: &ActorRef<TicketMsg>) {
        let due = self.next_due();
        let Some(clock) = self.inactivity.as_mut() else {
            return;
        };
        if due == clock.armed && (due.is_none() || clock.timer.is_some()) {
            return;
        }
        if let Some(timer) = clock.timer.take() {
            timer.abort();
        }
        clock.generation = clock.generation.wrapping_add(1);
        clock.armed = due;
        if let Some(due) = due {
            let wait = Duration::from_millis(u64::try_from(due.at() - now_ms()).unwrap_or(0));
            let generation = clock.generation;
            let timer = myself.send_after(wait, move || TicketMsg::Inactivity(generation));
            clock.timer = Some(timer.abort_handle());
        }
    }

    /// The timer of `generation` fired. A change the database could not take is tried again
    /// later; after the close the actor lingers like after any close.
    pub(super) async fn inactivity_fired(
        &mut self,
        myself: &ActorRef<TicketMsg>,
        generation: u32,
    ) -> Result<()> {
        match Box::pin(self.inactivity_due(myself, generation)).await {
            Err(err) if err.is_transient_storage() => {
                retry_later(myself, self.id(), &err, TicketMsg::Inactivity(generation));
            }
            Ok(Flow::Linger) => {
                myself.send_after(CLOSED_LINGER, || TicketMsg::IdleStop);
            }
            Ok(_) => {}
            Err(err) => return Err(err),
        }
        Ok(())
    }

    /// Does what is due, if anything, and arms the next.
    async fn inactivity_due(
        &mut self,
        myself: &ActorRef<TicketMsg>,
        generation: u32,
    ) -> Result<Flow> {
        let Some(setting) = self.auto_close() else {
            return Ok(Flow::Continue);
        };
        match self.inactivity.as_mut() {
            Some(clock) if clock.generation == generation => {
                clock.timer = None;
                clock.armed = None;
            }
            _ => return Ok(Flow::Continue),
        }
        match self.next_due() {
            Some(due) if due.at() > now_ms() => {}
            Some(Due::Warn { .. }) => self.warn_opener().await?,
            Some(Due::Close { .. }) => {
                let reason = texts::auto_close_reason(setting.after);
                return self.close_by(None, Some(reason)).await;
            }
            Some(Due::TellStaffWait { .. }) => self.tell_staff_wait(setting).await?,
            None => {}
        }
        self.inactivity_arm(myself);
        Ok(Flow::Continue)
    }

    /// Marks this period with `change` and its audit row in one transaction.
    async fn mark(
        &mut self,
        change: impl FnOnce(&mut InactivityMarks),
        action: AuditAction,
        detail: String,
    ) -> Result<()> {
        let Some(clock) = self.inactivity.as_mut() else {
            return Ok(());
        };
        let mut marks = clock.marks;
        change(&mut marks);
        let id = self.ticket.id;
        let entry = NewAuditEntry::new(Some(id), action, None, detail);
        self.ctx
            .db
            .write(move |conn| {
                set_inactivity_marks(conn, id, marks)?;
                queries::audit(conn, &entry)
            })
            .await?;
        if let Some(clock) = self.inactivity.as_mut() {
            clock.marks = marks;
        }
        Ok(())
    }

    /// Warns the opener, and only them, that the ticket closes; stored before it is posted.
    async fn warn_opener(&mut self) -> Result<()> {
        let now = now_ms();
        self.mark(
            |marks| marks.warned_at = Some(now),
            AuditAction::AutoCloseWarned,
            String::new(),
        )
        .await?;
        let closes_at = self.next_due().map_or(now, Due::at);
        let (Some(channel), Some(opener)) = (self.channel(), self.opener()) else {
            return Ok(());
        };
        let content = texts::auto_close_warning(opener.get(), closes_at.div_euclid(1000));
        let warning = Post {
            content: &content,
            // The opener is the one to answer; nobody else is pinged, whatever the text says.
            mentions: Some(AllowedMentions {
                users: vec![opener],
                ..AllowedMentions::default()
            }),
            ..Post::default()
        };
        match self
            .discord()
            .post("auto-close warning", channel, warning)
            .await
        {
            Ok(posted) => {
                let _ = self.store(&posted, None).await;
                self.log(texts::LOG_AUTO_CLOSE_WARNED, None, content, ORANGE);
            }
            Err(err) => {
                report_discord_failure(&self.ctx, self.id(), "Warnung vor dem Schließen", &err)
                    .await
            }
        }
        Ok(())
    }

    /// Tells the log channel once that the ticket waited `AUTO_CLOSE_AFTER` on staff.
    async fn tell_staff_wait(&mut self, setting: AutoClose) -> Result<()> {
        let text = texts::waiting_on_staff(setting.after);
        let now = now_ms();
        self.mark(
            |marks| marks.staff_told_at = Some(now),
            AuditAction::WaitingOnStaff,
            text.clone(),
        )
        .await?;
        self.log(texts::LOG_WAITING_ON_STAFF, None, text, ORANGE);
        Ok(())
    }
}
