//! Runs the real bot (library entry point `ticketbot::app::run`) against the emulator, with a
//! fresh SQLite database, and tears it down again.

use std::collections::HashMap;
use std::time::Duration;

use ticketbot::config::Part;
use ticketbot::db::Db;
use ticketbot::db::models::Ticket;
use ticketbot::db::queries;
use tokio::sync::oneshot;

use super::db::TestDb;
use super::discord::{DiscordEmu, GuildSpec, InteractionRef};

// Generous: CI runs the whole suite in parallel on two cores.
pub const WAIT: Duration = Duration::from_secs(30);

// Members of the test guild.
pub const ADMIN: u64 = 5_000_000_000_000_001;
pub const SUPPORTERS: [u64; 4] = [
    5_000_000_000_000_011,
    5_000_000_000_000_012,
    5_000_000_000_000_013,
    5_000_000_000_000_014,
];
pub const VIEWER: u64 = 5_000_000_000_000_021;
pub const USERS: [u64; 6] = [
    6_000_000_000_000_001,
    6_000_000_000_000_002,
    6_000_000_000_000_003,
    6_000_000_000_000_004,
    6_000_000_000_000_005,
    6_000_000_000_000_006,
];

pub struct TestBot {
    pub emu: DiscordEmu,
    pub db: Db,
    pub test_db: TestDb,
    pub env: HashMap<String, String>,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<ticketbot::Result<()>>>,
}

/// A guild with an admin, four supporters, a viewer and six ordinary users.
pub async fn guild() -> DiscordEmu {
    let emu = DiscordEmu::start(GuildSpec::default()).await;
    let spec = emu.spec().clone();
    emu.add_member(ADMIN, "adminanna", Some("Anna"), &[spec.admin_role]);
    for (i, id) in SUPPORTERS.iter().enumerate() {
        emu.add_member(*id, &format!("supporter{i}"), None, &[spec.support_role]);
    }
    emu.add_member(VIEWER, "viewer", None, &[spec.viewer_role]);
    for (i, id) in USERS.iter().enumerate() {
        emu.add_member(
            *id,
            &format!("spieler{i}"),
            Some(&format!("Spieler {i}")),
            &[],
        );
    }
    emu
}

/// The bot's settings for `emu` and `test_db`, plus `extra`.
pub fn bot_env(
    emu: &DiscordEmu,
    test_db: &TestDb,
    extra: &[(&str, &str)],
) -> HashMap<String, String> {
    let mut env: HashMap<String, String> = emu.env_for_bot().into_iter().collect();
    env.insert("DATABASE_URL".into(), test_db.url.clone());
    env.insert(
        "DISCORD_REDIRECT_URI".into(),
        "http://127.0.0.1:1/callback".into(),
    );
    for (key, value) in extra {
        env.insert((*key).into(), (*value).into());
    }
    env
}

impl TestBot {
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    pub async fn start_with(extra: &[(&str, &str)]) -> Self {
        let emu = guild().await;
        Self::launch(emu, TestDb::sqlite(), extra).await
    }

    /// Starts the bot against `emu` and `test_db` (both may carry state from an earlier run).
    pub async fn launch(emu: DiscordEmu, test_db: TestDb, extra: &[(&str, &str)]) -> Self {
        let env = bot_env(&emu, &test_db, extra);
        let mut bot = Self {
            db: Db::connect(&test_db.url).await.expect("test database"),
            emu,
            test_db,
            env,
            stop: None,
            handle: None,
        };
        bot.run().await;
        bot
    }

    async fn run(&mut self) {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        let env = self.env.clone();
        let config =
            ticketbot::Config::from_lookup(|key| env.get(key).cloned()).expect("valid test config");
        let (stop, stopped) = oneshot::channel::<()>();
        let identifies = self.emu.identify_count();
        self.handle = Some(tokio::spawn(ticketbot::app::run(
            config,
            Part::Bot,
            async {
                let _ = stopped.await;
            },
        )));
        self.stop = Some(stop);
        let emu = &self.emu;
        emu.wait_for(WAIT, |e| {
            (e.identify_count() > identifies && e.is_connected()).then_some(())
        })
        .await
        .expect("bot identified");
        emu.wait_for(WAIT, |e| {
            (e.commands().len() == ticketbot::discord::commands::definitions().len()).then_some(())
        })
        .await
        .expect("bot registered its commands");
    }

    /// A clean stop (like SIGTERM), then a start on the same database and guild.
    pub async fn restart(&mut self) {
        self.shutdown().await;
        self.run().await;
    }

    pub async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            let result = tokio::time::timeout(Duration::from_secs(20), handle)
                .await
                .expect("bot stops in time")
                .expect("bot task did not panic");
            result.expect("bot stopped without error");
        }
    }

    pub fn spec(&self) -> GuildSpec {
        self.emu.spec().clone()
    }

    /// The usual start of a test: the button posted and one ticket opened by `user`; returns
    /// the ticket and its channel.
    pub async fn first_ticket(&self, user: u64) -> (Ticket, u64) {
        let button = self.setup_button().await;
        let ticket = self.open_ticket(button, user).await;
        let channel = ticket.channel_id.expect("ticket has a channel") as u64;
        (ticket, channel)
    }

    /// Posts the "open ticket" button as the admin; returns its message id.
    pub async fn setup_button(&self) -> u64 {
        post_open_button(&self.emu).await
    }

    /// `user` clicks the button; returns the ticket once its channel has the welcome message.
    pub async fn open_ticket(&self, button_message: u64, user: u64) -> Ticket {
        self.open_ticket_with(button_message, "ticket:open", user)
            .await
    }

    /// Like [`Self::open_ticket`], for a button with another `custom_id`.
    pub async fn open_ticket_with(
        &self,
        button_message: u64,
        custom_id: &str,
        user: u64,
    ) -> Ticket {
        let channel = self.spec().support_channel;
        self.emu
            .click_button(user, channel, button_message, custom_id)
            .await;
        self.wait_ticket(|t| {
            t.opener_id == user as i64 && t.status().is_active() && t.welcome_message_id.is_some()
        })
        .await
    }

    /// The first answer with text that `ir`'s presser got (callback, or the edit of a
    /// deferral).
    pub async fn answer_text(&self, ir: &InteractionRef) -> String {
        self.emu
            .wait_for(WAIT, |e| {
                e.interaction_replies(ir)
                    .into_iter()
                    .filter(super::discord::RecordedRequest::succeeded)
                    .find(|r| !r.content().is_empty())
                    .map(|r| r.content().to_owned())
            })
            .await
            .unwrap_or_else(|| {
                panic!(
                    "no answer; replies: {:#?}",
                    self.emu.interaction_replies(ir)
                )
            })
    }

    /// `user` presses one of the staff buttons of `ticket`'s welcome message.
    pub async fn press(&self, user: u64, ticket: &Ticket, custom_id: &str) -> InteractionRef {
        let channel = ticket.channel_id.expect("ticket has a channel") as u64;
        let welcome = ticket.welcome_message_id.expect("welcome posted") as u64;
        self.emu
            .click_button(user, channel, welcome, custom_id)
            .await
    }

    /// Waits until a ticket matching `pred` is in the database.
    pub async fn wait_ticket(&self, pred: impl Fn(&Ticket) -> bool) -> Ticket {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let tickets = self.all_tickets().await;
            if let Some(found) = tickets.into_iter().find(|t| pred(t)) {
                return found;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no such ticket appeared in time"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn all_tickets(&self) -> Vec<Ticket> {
        use diesel::prelude::*;
        use ticketbot::db::schema::tickets;
        self.db
            .run(|c| {
                Ok(tickets::table
                    .order(tickets::id)
                    .select(Ticket::as_select())
                    .load(c)?)
            })
            .await
            .unwrap()
    }

    pub async fn ticket(&self, id: i64) -> Ticket {
        self.db.run(move |c| queries::ticket(c, id)).await.unwrap()
    }

    /// Transcript snapshots of ticket `id`, newest first.
    pub async fn transcripts(&self, id: i64) -> Vec<ticketbot::db::models::Transcript> {
        self.db
            .run(move |c| queries::transcripts_of(c, id))
            .await
            .unwrap()
    }

    pub async fn messages(&self, id: i64) -> Vec<ticketbot::db::models::Message> {
        self.db
            .run(move |c| queries::messages_of(c, id))
            .await
            .unwrap()
    }

    pub async fn audit(&self, id: i64) -> Vec<String> {
        self.db
            .run(move |c| queries::audit_of(c, id))
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect()
    }

    /// Waits until ticket `id` has exactly `count` stored messages starting with `prefix`;
    /// returns all its messages.
    pub async fn wait_stored_with_prefix(
        &self,
        id: i64,
        prefix: &str,
        count: usize,
    ) -> Vec<ticketbot::db::models::Message> {
        self.wait_messages(id, |m| {
            m.iter().filter(|m| m.content.starts_with(prefix)).count() == count
        })
        .await
    }

    /// Waits until `pred` holds for the ticket's stored messages.
    pub async fn wait_messages(
        &self,
        id: i64,
        pred: impl Fn(&[ticketbot::db::models::Message]) -> bool,
    ) -> Vec<ticketbot::db::models::Message> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let messages = self.messages(id).await;
            if pred(&messages) {
                return messages;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "messages of ticket {id} never matched; have {}",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for TestBot {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The admin runs `/setup_ticket_button` in the support channel of whatever bot `emu` serves
/// (in this process or a spawned binary); returns the button message's id.
pub async fn post_open_button(emu: &DiscordEmu) -> u64 {
    let channel = emu.spec().support_channel;
    let ir = emu
        .slash_command(ADMIN, channel, "setup_ticket_button")
        .await;
    emu.wait_interaction_response(&ir, WAIT)
        .await
        .expect("setup answered");
    emu.wait_for_message(channel, |m| m.button("ticket:open").is_some(), WAIT)
        .await
        .expect("button posted")
        .id
}
